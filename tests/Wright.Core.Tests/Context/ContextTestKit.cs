using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Context;
using Wright.Core.Git;
using Wright.Core.Tests.Events;
using Wright.Core.Tests.Git;

namespace Wright.Core.Tests.Context;

/// <summary>A context builder over a real repository in a temp directory.</summary>
internal sealed class ContextTestKit : IDisposable
{
    private ContextTestKit(GitTestRepository repository)
    {
        Repository = repository;
        var git = new GitRunner();
        var service = new GitService(git, TimeProvider.System, NullLogger<GitService>.Instance);
        Scanner = new WorkspaceScanner(service, git);
        Estimator = new TokenEstimator();
        Builder = new ContextBuilder(Scanner, Estimator, new ManualTimeProvider(), NullLogger<ContextBuilder>.Instance);
    }

    public GitTestRepository Repository { get; }

    public WorkspaceScanner Scanner { get; }

    public TokenEstimator Estimator { get; }

    public ContextBuilder Builder { get; }

    public static async Task<ContextTestKit> CreateAsync() => new(await GitTestRepository.CreateAsync());

    public async Task CommitAllAsync(string message = "files")
    {
        await Repository.GitAsync("add", "--all");
        await Repository.GitAsync("commit", "--quiet", "-m", message);
    }

    public Task<BuiltContext> BuildAsync(ContextRequest request) => Builder.BuildAsync(request, GitTestRepository.Timeout);

    public ContextRequest Request(string prompt, int budget = 100_000) => new(Repository.Root, prompt, budget);

    public void Dispose() => Repository.Dispose();
}
