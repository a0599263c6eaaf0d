using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Actions;
using Wright.Core.Git;

// Runs one ActionRun on a repository so a test can SIGKILL this process in the middle of it.
// Usage: Wright.ActionRunCrashHelper <root> <files> <pause>
//   files: how many files the run writes (each file-NN.txt gets "ai NN").
//   pause: "none" to run freely, "file:N" to stop after the N-th file write, "committed" to stop
//          right after the commit (before the journal is removed). A stopped run waits on
//          standard input forever, which the test never writes: it kills the process instead.
// Every progress step is printed as "STAGE <stage> <subject>" and flushed, so the test can pick its moment.
var root = args[0];
var files = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var pause = args[2];

var git = new GitRunner();
var service = new GitService(git, TimeProvider.System, NullLogger<GitService>.Instance);
var runner = new ActionRunner(service, git, [new FileChangeHandler()], TimeProvider.System, NullLogger<ActionRunner>.Instance);
var written = 0;
var changes = Enumerable.Range(0, files).Select(i => (FileChange)new WriteFile($"file-{i:00}.txt", $"ai {i:00}\n")).ToList();
var request = new ActionRunRequest(Guid.Parse("6f1d2a3b-0000-4000-8000-000000000002"), root, "Crash me", [new FileChangeAction(changes)], "crash-model")
{
    Progress = async (progress, cancellationToken) =>
    {
        Console.Out.WriteLine($"STAGE {progress.Stage} {progress.Subject}");
        Console.Out.Flush();
        var stop = progress.Stage switch
        {
            ActionRunStage.FileWritten => pause == $"file:{++written}",
            ActionRunStage.Committed => pause == "committed",
            _ => false,
        };
        if (stop)
        {
            Console.Out.WriteLine("PAUSED");
            Console.Out.Flush();
            await Console.In.ReadLineAsync(cancellationToken);
        }
    },
};

var result = await runner.RunAsync(request, CancellationToken.None);
Console.Out.WriteLine(result.Succeeded ? $"DONE {result.Commit?.Sha}" : $"FAILED {result.Failure?.Detail}");
return result.Succeeded ? 0 : 1;
