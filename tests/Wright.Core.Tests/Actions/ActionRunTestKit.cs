using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Actions;
using Wright.Core.Git;
using Wright.Core.Tests.Events;
using Wright.Core.Tests.Git;

namespace Wright.Core.Tests.Actions;

/// <summary>An ActionRunner and undo over a real repository in a temp directory, with a clock the test controls.</summary>
internal sealed class ActionRunTestKit : IDisposable
{
    public static readonly Guid ProjectId = Guid.Parse("6f1d2a3b-0000-4000-8000-000000000001");

    private ActionRunTestKit(GitTestRepository repository)
    {
        Repository = repository;
        var git = new GitRunner();
        Time = new ManualTimeProvider();
        var service = new GitService(git, Time, NullLogger<GitService>.Instance);
        Runner = new ActionRunner(service, git, [new FileChangeHandler(), new CommandHandler(), new ConfigHandler(), new ScaffoldHandler()], Time, NullLogger<ActionRunner>.Instance);
        Undo = new AiCommitUndo(git, service, Runner, NullLogger<AiCommitUndo>.Instance);
    }

    public GitTestRepository Repository { get; }

    public string Root => Repository.Root;

    public ManualTimeProvider Time { get; }

    public ActionRunner Runner { get; }

    public AiCommitUndo Undo { get; }

    public static async Task<ActionRunTestKit> CreateAsync() => new(await GitTestRepository.CreateAsync());

    public ActionRunRequest Request(string prompt, params WrightAction[] actions) =>
        new(ProjectId, Root, prompt, actions, "test-model", 0.2, "session-1", "message-1");

    public Task<ActionRunResult> RunAsync(string prompt, params WrightAction[] actions) =>
        Runner.RunAsync(Request(prompt, actions), GitTestRepository.Timeout);

    /// <summary>Every file of the working tree (outside .git) with its content.</summary>
    public SortedDictionary<string, string> Snapshot() => new(
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(p => !Path.GetRelativePath(Root, p).Split(Path.DirectorySeparatorChar).Contains(".git"))
            .ToDictionary(p => Path.GetRelativePath(Root, p).Replace(Path.DirectorySeparatorChar, '/'), File.ReadAllText, StringComparer.Ordinal),
        StringComparer.Ordinal);

    public async Task<int> CommitCountAsync() => int.Parse((await Repository.GitAsync("rev-list", "--count", "HEAD")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public async Task<string> StatusAsync() => (await Repository.GitAsync("status", "--porcelain")).Trim();

    public void Dispose() => Repository.Dispose();
}
