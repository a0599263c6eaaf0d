using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Context;
using Wright.Core.Git;

namespace Wright.Bench;

/// <summary>
/// Context assembly for one prompt on a generated 10,000-file repository (cold: nothing cached;
/// warm: the same project again) and on this repository, against an anchor that only lists the
/// files with git and reads each once.
/// </summary>
internal static class ContextBench
{
    private const int Budget = 32_000;

    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        var git = new GitRunner();
        var service = new GitService(git, TimeProvider.System, NullLogger<GitService>.Instance);
        var generated = Path.Combine(work, "context-10k");
        var clock = Stopwatch.StartNew();
        await GenerateAsync(git, generated, 10_000, cancellationToken);
        Console.WriteLine($"context: generated a 10,000-file repository in {Measure.Ms(clock.Elapsed)}");
        await MeasureAsync("10k", generated, "Make InvoiceCalculator42 round the tax before TotalWithTax42 adds it", service, git, cancellationToken);

        var self = FindRepository();
        if (self is not null)
        {
            await MeasureAsync("wright", self, "Make the ActionRunner report which action failed when the safety point reset fails", service, git, cancellationToken);
        }
    }

    private static async Task MeasureAsync(string label, string root, string prompt, GitService service, GitRunner git, CancellationToken cancellationToken)
    {
        // The anchor is measured beside every cold and warm round and its median taken: one sample
        // of it on a loaded machine could halve or double every ratio below.
        async Task<TimeSpan> Anchor() => await Measure.TimeAsync(async () =>
        {
            foreach (var path in await service.ListWorkingTreeFilesAsync(root, cancellationToken))
            {
                var full = Path.Combine(root, path);
                if (File.Exists(full))
                {
                    await File.ReadAllBytesAsync(full, cancellationToken);
                }
            }
        });
        var anchors = new List<TimeSpan> { await Anchor() };

        var estimator = new TokenEstimator();
        var symbolDirectory = Path.Combine(Path.GetTempPath(), $"wright-bench-symbols-{Guid.NewGuid():N}");
        ContextBuilder NewProcess() => new(new WorkspaceScanner(service, git, new SymbolCache(symbolDirectory)), estimator, TimeProvider.System, NullLogger<ContextBuilder>.Instance);
        var request = new ContextRequest(root, prompt, Budget);

        // First ever: nothing in memory or stored. Cold: a restarted process (the stored symbol cache only).
        BuiltContext? cold = null;
        var firstTime = await Measure.TimeAsync(async () => cold = await NewProcess().BuildAsync(request, cancellationToken));
        var coldTimes = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            anchors.Add(await Anchor());
            coldTimes.Add(await Measure.TimeAsync(async () => cold = await NewProcess().BuildAsync(request, cancellationToken)));
        }

        var coldTime = Measure.Median(coldTimes);
        var builder = NewProcess();
        await builder.BuildAsync(request, cancellationToken);
        var warmTimes = new List<TimeSpan>();
        BuiltContext? warm = null;
        for (var i = 0; i < 5; i++)
        {
            anchors.Add(await Anchor());
            warmTimes.Add(await Measure.TimeAsync(async () => warm = await builder.BuildAsync(request, cancellationToken)));
        }

        var scanner = new WorkspaceScanner(service, git, new SymbolCache(symbolDirectory));
        WorkspaceSnapshot? snapshot = null;
        await scanner.ScanAsync(request, cancellationToken);
        var scanTime = await Measure.TimeAsync(async () => snapshot = await scanner.ScanAsync(request, cancellationToken));
        // Once first: a new scanner's snapshot brings new symbol lists, so the first assembly also
        // builds the ranking's index of them (that is the cold figure's part); this is a warm prompt's.
        ContextAssembler.Assemble(request, snapshot!, estimator, DateTimeOffset.UtcNow, Guid.NewGuid());
        var assembleTime = await Measure.TimeAsync(() =>
        {
            ContextAssembler.Assemble(request, snapshot!, estimator, DateTimeOffset.UtcNow, Guid.NewGuid());
            return Task.CompletedTask;
        });
        var breakdown = await ColdBreakdownAsync(request, service, git, symbolDirectory, estimator, cancellationToken);
        Directory.Delete(symbolDirectory, recursive: true);

        BuiltContext? next = null;
        var nextTime = await Measure.TimeAsync(async () => next = await builder.BuildAsync(request with { Prompt = "Now add a test for it", Previous = warm!.Record }, cancellationToken));
        var anchor = Measure.Median(anchors);
        var files = cold!.Record.Workspace.Count;
        Console.WriteLine($"context[{label}]: {files} admitted files, {cold.Record.Excluded.Count} excluded; anchor (git ls-files + read every file) median {Measure.Ms(anchor)} of {anchors.Count}{LoadAverage()}");
        Console.WriteLine($"context[{label}]: first ever (no stored symbols) {Measure.Ms(firstTime)} ({firstTime / anchor:F2}x anchor)");
        Console.WriteLine($"context[{label}]: cold (restarted process, stored symbols) median {Measure.Ms(coldTime)} ({coldTime / anchor:F2}x anchor), {cold.Record.TokenCount} of {Budget} tokens: {Sources(cold)}");
        Console.WriteLine($"context[{label}]: warm median {Measure.Ms(Measure.Median(warmTimes))} ({Measure.Median(warmTimes) / anchor:F2}x anchor), {warm!.Record.TokenCount} of {Budget} tokens (warm scan {Measure.Ms(scanTime)}, assembly {Measure.Ms(assembleTime)})");
        Console.WriteLine($"context[{label}]: cold breakdown (fastest of 5) {breakdown}");
        Console.WriteLine($"context[{label}]: second prompt (incremental) {Measure.Ms(nextTime)}, {next!.Record.TokenCount} of {Budget} tokens: {Sources(next)}");
    }

    /// <summary>
    /// Where a cold context's time goes, each step timed alone after the cold runs above (so the
    /// files are in the page cache as they are for them), the fastest of five rounds (a shared
    /// machine's load only ever adds time): git's listing, index, status and log (at once, as the
    /// scanner runs them), loading the stored symbols, the whole scan (which does both at once), the
    /// ranking's index of the symbols, the map's PageRank, the file ranking, and the assembly
    /// once the index is built.
    /// </summary>
    private static async Task<string> ColdBreakdownAsync(ContextRequest request, GitService service, GitRunner git, string symbolDirectory, TokenEstimator estimator, CancellationToken cancellationToken)
    {
        var root = request.ProjectRoot;
        var steps = new[] { "git", "symbols load", "scan", "index", "map rank", "file rank", "assembly" };
        var fastest = steps.ToDictionary(s => s, _ => TimeSpan.MaxValue);
        void Keep(string step, TimeSpan time) => fastest[step] = time < fastest[step] ? time : fastest[step];
        for (var round = 0; round < 5; round++)
        {
            Keep("git", await Measure.TimeAsync(() => Task.WhenAll(
                service.ListWorkingTreeFilesAsync(root, cancellationToken),
                service.ListIndexAsync(root, cancellationToken),
                service.GetStatusAsync(root, cancellationToken),
                git.RunAsync(root, ["log", "-z", "--max-count=30", "--no-merges", "--format=%x01%H", "--name-only", "--no-renames", "HEAD", "--"], cancellationToken))));
            Keep("symbols load", Time(() => new SymbolCache(symbolDirectory).For(Wright.Core.Workspace.PathJail.ResolveReal(Path.GetFullPath(root)))));
            WorkspaceSnapshot? snapshot = null;
            Keep("scan", await Measure.TimeAsync(async () => snapshot = await new WorkspaceScanner(service, git, new SymbolCache(symbolDirectory)).ScanAsync(request, cancellationToken)));
            Keep("index", Time(() => SymbolIndex.For(snapshot!.Symbols)));
            RepoMapRanking? ranking = null;
            Keep("map rank", Time(() => ranking = ContextAssembler.RankMap(request, snapshot!, new HashSet<string>(StringComparer.Ordinal))));
            Keep("file rank", Time(() => ContextAssembler.RankFiles(request, snapshot!, ranking!)));
            Keep("assembly", Time(() => ContextAssembler.Assemble(request, snapshot!, estimator, DateTimeOffset.UtcNow, Guid.NewGuid())));
        }

        return string.Join(", ", steps.Select(s => $"{s} {Measure.Ms(fastest[s])}"));
    }

    /// <summary>The load average as "; load average 1.2 0.8 0.5" where the system tells it (Linux), else nothing.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? "; load average " + string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "";

    private static TimeSpan Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed;
    }

    private static string Sources(BuiltContext context) =>
        string.Join(", ", context.Record.Sources.GroupBy(s => s.Kind).Select(g => $"{g.Key} {g.Sum(s => s.Tokens)}"));

    /// <summary>Files in four languages, each defining a class and functions and using symbols of a few others, in 100 folders.</summary>
    private static async Task GenerateAsync(GitRunner git, string root, int count, CancellationToken cancellationToken)
    {
        var random = new Random(42);
        for (var i = 0; i < count; i++)
        {
            var folder = Path.Combine(root, $"pkg{i % 100:D2}", i % 3 == 0 ? "core" : "feature");
            Directory.CreateDirectory(folder);
            var uses = Enumerable.Range(0, 4).Select(_ => random.Next(count)).ToList();
            var (extension, text) = (i % 4) switch
            {
                0 => (".cs", CSharp(i, uses)),
                1 => (".ts", TypeScript(i, uses)),
                2 => (".py", Python(i, uses)),
                _ => (".go", Go(i, uses)),
            };
            await File.WriteAllTextAsync(Path.Combine(folder, $"module{i:D5}{extension}"), text, cancellationToken);
        }

        await File.WriteAllTextAsync(Path.Combine(root, "README.md"), "# Generated\n\nA generated repository for the context benchmark.\n", cancellationToken);
        await git.RunCheckedAsync(root, ["init", "--quiet", "--initial-branch=main"], cancellationToken);
        await git.RunCheckedAsync(root, ["add", "--all"], cancellationToken);
        await git.RunCheckedAsync(root, ["-c", "user.name=Bench", "-c", "user.email=bench@localhost", "commit", "--quiet", "-m", "generated"], cancellationToken);
    }

    private static string Name(int i) => i % 10 == 2 ? $"InvoiceCalculator{i % 100}" : $"Service{i:D5}";

    private static string CSharp(int i, List<int> uses) =>
        $"namespace Generated.Pkg{i % 100};\n\npublic sealed class {Name(i)}\n{{\n" +
        string.Concat(uses.Select((u, k) => $"    public int Step{k}(int x) => new {Name(u)}().Compute{u}(x) + {k};\n")) +
        $"    public int Compute{i}(int x) => x * {i % 7 + 1};\n    public decimal TotalWithTax{i % 100}(decimal net) => net * 1.2m;\n}}\n" + Filler(i);

    private static string TypeScript(int i, List<int> uses) =>
        string.Concat(uses.Select(u => $"import {{ {Name(u)} }} from './{Name(u)}';\n")) +
        $"\nexport class {Name(i)} {{\n  compute{i}(x: number): number {{\n    return x + {i};\n  }}\n}}\n\nexport function helper{i}(): number {{\n  return " +
        string.Join(" + ", uses.Select(u => $"new {Name(u)}().compute{u}(1)")) + ";\n}\n" + Filler(i);

    private static string Python(int i, List<int> uses) =>
        $"LIMIT_{i} = {i}\n\n\nclass {Name(i)}:\n    def compute_{i}(self, x):\n        return x + LIMIT_{i}\n\n\ndef helper_{i}():\n    return " +
        string.Join(" + ", uses.Select(u => $"{Name(u)}().compute_{u}(1)")) + "\n" + Filler(i).Replace("//", "#", StringComparison.Ordinal);

    private static string Go(int i, List<int> uses) =>
        $"package pkg{i % 100}\n\ntype {Name(i)} struct{{}}\n\nfunc (s *{Name(i)}) Compute{i}(x int) int {{\n\treturn x + {i}\n}}\n\nfunc Helper{i}() int {{\n\treturn " +
        string.Join(" + ", uses.Select(u => $"(&{Name(u)}{{}}).Compute{u}(1)")) + "\n}\n" + Filler(i);

    private static string Filler(int i) => string.Concat(Enumerable.Range(0, 10 + (i % 30)).Select(k => $"// note {k} about module {i.ToString(CultureInfo.InvariantCulture)}: keeps files a realistic size\n"));

    private static string? FindRepository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Wright.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName;
    }
}
