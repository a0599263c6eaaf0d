using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Git;

namespace Wright.Core.Tests.Git;

/// <summary>
/// A real git repository in a temporary directory of its own, with a <see cref="GitService"/> on
/// it and plain git (carrying an identity: CI machines have none) to arrange and inspect it.
/// </summary>
internal sealed class GitTestRepository : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private GitTestRepository(string root)
    {
        Root = root;
        Service = new GitService(new GitRunner(), TimeProvider.System, NullLogger<GitService>.Instance);
    }

    public string Root { get; }

    public GitService Service { get; }

    public static CancellationToken Timeout => new CancellationTokenSource(Bound).Token;

    /// <summary>An initialised repository on <c>main</c> with one commit of <c>readme.md</c>.</summary>
    public static async Task<GitTestRepository> CreateAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), $"wright-core-git-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root);
        var repository = new GitTestRepository(root);
        await repository.GitAsync("init", "--quiet", "--initial-branch=main");
        repository.Write("readme.md", "# test\n");
        await repository.GitAsync("add", "--all");
        await repository.GitAsync("commit", "--quiet", "-m", "Initial commit");
        return repository;
    }

    public string PathOf(string relative) => Path.Combine(Root, relative);

    public void Write(string relative, string content)
    {
        var full = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
    }

    public string Read(string relative) => File.ReadAllText(PathOf(relative));

    public async Task<string> GitAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-c", "user.name=Test User", "-c", "user.email=test@example.com", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Bound);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {await stderr.WaitAsync(Bound)}");
        }

        return await stdout.WaitAsync(Bound);
    }

    public async Task<string> HeadAsync() => (await GitAsync("rev-parse", "HEAD")).Trim();

    public void Dispose()
    {
        try
        {
            foreach (var file in Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A git process may still hold a file for a moment; the OS temp cleaner removes what is left.
        }
    }
}
