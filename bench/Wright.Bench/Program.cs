using Wright.Bench;

// Benchmarks of Wright, each reported as a ratio against an anchor measured in the same run.
// Usage: dotnet run -c Release --project bench/Wright.Bench -- [startup] [auth] [writes] [tree] [ttft] [prefix] [stream] [context] [actionrun] [cluster] [terminals] [terminal-flood] [relevance] [hooks] [flows] [--files N] [--repository PATH]
var which = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal) && !int.TryParse(a, out _)).ToHashSet(StringComparer.OrdinalIgnoreCase);
if (which.Count == 0)
{
    which = ["startup", "auth", "writes", "tree", "ttft", "prefix", "stream", "context", "actionrun", "cluster", "terminals", "terminal-flood", "relevance", "hooks", "flows"];
}

var repositoryIndex = Array.IndexOf(args, "--repository");
var repository = repositoryIndex >= 0 ? args[repositoryIndex + 1] : null;
which.Remove(repository ?? "");

var filesIndex = Array.IndexOf(args, "--files");
var fileCount = filesIndex >= 0 ? int.Parse(args[filesIndex + 1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;

using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(30));
var work = Path.Combine(Path.GetTempPath(), $"wright-bench-{Guid.NewGuid():N}");
Directory.CreateDirectory(work);
try
{
    if (which.Contains("startup"))
    {
        await StartupBench.RunAsync(work, cancellation.Token);
    }

    if (which.Contains("auth"))
    {
        await AuthBench.RunAsync(work, cancellation.Token);
    }

    if (which.Contains("writes"))
    {
        await WriteBench.RunAsync(work, cancellation.Token);
    }

    if (which.Contains("tree"))
    {
        await TreeBench.RunAsync(work, fileCount, cancellation.Token);
    }

    if (which.Contains("ttft"))
    {
        await ChatBench.RunTtftAsync(work, cancellation.Token);
    }

    if (which.Contains("prefix"))
    {
        await PrefixBench.RunAsync(work, cancellation.Token);
    }

    if (which.Contains("stream"))
    {
        await ChatBench.RunStreamAsync(work, cancellation.Token);
    }

    if (which.Contains("context"))
    {
        await ContextBench.RunAsync(work, cancellation.Token);
    }

    if (which.Contains("relevance"))
    {
        await RelevanceBench.RunAsync(work, repository, cancellation.Token);
    }

    if (which.Contains("actionrun"))
    {
        await ActionRunBench.RunAsync(work, cancellation.Token);
    }

    if (which.Contains("cluster"))
    {
        await ClusterBench.RunAsync(work, cancellation.Token);
    }

    if (which.Contains("terminals"))
    {
        await TerminalBench.RunAsync(work, cancellation.Token);
    }

    if (which.Contains("terminal-flood"))
    {
        await TerminalBench.RunFloodAsync(work, cancellation.Token);
    }

    if (which.Contains("hooks"))
    {
        await HooksBench.RunAsync(work, cancellation.Token);
    }

    if (which.Contains("flows"))
    {
        await FlowBench.RunAsync(work, cancellation.Token);
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}
