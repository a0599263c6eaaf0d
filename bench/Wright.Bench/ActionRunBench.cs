using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Actions;
using Wright.Core.Git;

namespace Wright.Bench;

/// <summary>
/// Applying and committing a 20-file change through an ActionRun (validation, user-edit check,
/// safety point, journal, atomic writes, one commit with the seed message) against the same
/// change written by a plain loop followed by <c>git add</c> + <c>git commit</c>.
/// </summary>
internal static class ActionRunBench
{
    private const int Files = 20;
    private const int Rounds = 9;

    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        var git = new GitRunner();
        var service = new GitService(git, TimeProvider.System, NullLogger<GitService>.Instance);
        var runner = new ActionRunner(service, git, [new FileChangeHandler()], TimeProvider.System, NullLogger<ActionRunner>.Instance);
        var subjectRoot = await CreateRepositoryAsync(git, Path.Combine(work, "actionrun-subject"), cancellationToken);
        var anchorRoot = await CreateRepositoryAsync(git, Path.Combine(work, "actionrun-anchor"), cancellationToken);
        var round = 0;
        var stages = new Dictionary<ActionRunStage, List<double>>();

        async Task Subject()
        {
            round++;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var last = TimeSpan.Zero;
            var changes = Enumerable.Range(0, Files)
                .Select(i => (FileChange)new EditFile($"src/file{i:D2}.cs", Line(i, round - 1), Line(i, round)))
                .ToList();
            var request = new ActionRunRequest(Guid.Empty, subjectRoot, $"Bump every file to round {round}", [new FileChangeAction(changes)], "bench-model", 0)
            {
                Progress = (progress, _) =>
                {
                    // Time spent reaching each stage since the previous one (all file writes summed).
                    var now = clock.Elapsed;
                    if (!stages.TryGetValue(progress.Stage, out var list))
                    {
                        stages[progress.Stage] = list = [];
                    }

                    list.Add((now - last).TotalMilliseconds);
                    last = now;
                    return Task.CompletedTask;
                },
            };
            var result = await runner.RunAsync(request, cancellationToken);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(result.Failure!.Detail);
            }
        }

        var anchorRound = 0;
        async Task Anchor()
        {
            anchorRound++;
            for (var i = 0; i < Files; i++)
            {
                var path = Path.Combine(anchorRoot, "src", $"file{i:D2}.cs");
                var text = await File.ReadAllTextAsync(path, cancellationToken);
                await File.WriteAllTextAsync(path, text.Replace(Line(i, anchorRound - 1), Line(i, anchorRound), StringComparison.Ordinal), cancellationToken);
            }

            await git.RunCheckedAsync(anchorRoot, ["add", "--all"], cancellationToken);
            await git.RunCheckedAsync(anchorRoot, ["-c", "user.name=Bench", "-c", "user.email=bench@localhost", "commit", "--quiet", "-m", $"Bump every file to round {anchorRound}"], cancellationToken);
        }

        var (subject, anchor) = await Measure.CompareAsync(Rounds, Subject, Anchor);
        Console.WriteLine($"actionrun: {Files}-file change through an ActionRun {Measure.Ms(subject)} (median of {Rounds})");
        Console.WriteLine("actionrun: time to reach each stage, mean per run: " + string.Join(", ", stages.Select(kv => $"{kv.Key} {kv.Value.Sum() / (Rounds + 1):F1} ms")));
        Console.WriteLine($"actionrun: plain write loop + git add + git commit {Measure.Ms(anchor)} -> ratio {subject / anchor:F2}x (target <= 1.5x)");
    }

    private static string Line(int file, int round) => $"    public const int Round{file} = {round.ToString(CultureInfo.InvariantCulture)};";

    private static async Task<string> CreateRepositoryAsync(GitRunner git, string root, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.Combine(root, "src"));
        for (var i = 0; i < 200; i++)
        {
            var body = i < Files ? $"namespace Bench;\n\npublic static class File{i}\n{{\n{Line(i, 0)}\n}}\n" : $"// untouched file {i}\n";
            await File.WriteAllTextAsync(Path.Combine(root, "src", $"file{i:D2}.cs"), body, cancellationToken);
        }

        await git.RunCheckedAsync(root, ["init", "--quiet", "--initial-branch=main"], cancellationToken);
        await git.RunCheckedAsync(root, ["config", "user.name", "Bench"], cancellationToken);
        await git.RunCheckedAsync(root, ["config", "user.email", "bench@localhost"], cancellationToken);
        await git.RunCheckedAsync(root, ["add", "--all"], cancellationToken);
        await git.RunCheckedAsync(root, ["commit", "--quiet", "-m", "base"], cancellationToken);
        return root;
    }
}
