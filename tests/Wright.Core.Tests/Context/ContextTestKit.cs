using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Context;
using Wright.Core.Git;
using Wright.Core.Tests.Events;
using Wright.Core.Tests.Git;

namespace Wright.Core.Tests.Context;

/// <summary>A context builder over a real repository in a temp directory.</summary>
internal sealed class ContextTestKit : IDisposable
{
    private ContextTestKit(GitTestRepository repository, string? symbolDirectory = null)
    {
        Repository = repository;
        SymbolDirectory = symbolDirectory;
        var git = new GitRunner();
        var service = new GitService(git, TimeProvider.System, NullLogger<GitService>.Instance);
        Scanner = new WorkspaceScanner(service, git, new SymbolCache(symbolDirectory));
        Estimator = new TokenEstimator();
        Builder = new ContextBuilder(Scanner, Estimator, new ManualTimeProvider(), NullLogger<ContextBuilder>.Instance);
    }

    public GitTestRepository Repository { get; }

    /// <summary>Where the symbol cache is kept between kits (a restart), or null for memory only.</summary>
    public string? SymbolDirectory { get; }

    public WorkspaceScanner Scanner { get; }

    public TokenEstimator Estimator { get; }

    public ContextBuilder Builder { get; }

    public static async Task<ContextTestKit> CreateAsync() => new(await GitTestRepository.CreateAsync());

    /// <summary>A kit on the same repository with a fresh process's scanner (nothing in memory), sharing the stored symbol cache.</summary>
    public ContextTestKit Restarted(string symbolDirectory) => new(Repository, symbolDirectory);

    public static async Task<ContextTestKit> CreateAsync(string symbolDirectory) => new(await GitTestRepository.CreateAsync(), symbolDirectory);

    public async Task CommitAllAsync(string message = "files")
    {
        await Repository.GitAsync("add", "--all");
        await Repository.GitAsync("commit", "--quiet", "-m", message);
    }

    public Task<BuiltContext> BuildAsync(ContextRequest request) => Builder.BuildAsync(request, GitTestRepository.Timeout);

    public ContextRequest Request(string prompt, int budget = 100_000) => new(Repository.Root, prompt, budget);

    public void Dispose() => Repository.Dispose();
}
