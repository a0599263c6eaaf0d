using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Cli;

/// <summary>The `wright` command line itself: help, version and usage errors, run as a real process.</summary>
public sealed class WrightCommandTests
{
    [Fact]
    public async Task Help_PrintsUsageAndCommands_ExitsZero()
    {
        using var home = new TempDirectory("wright-cli");

        var (exitCode, stdout, stderr) = await WrightProcess.RunAsync(home.Path, ["--help"]);

        exitCode.ShouldBe(0, stderr);
        stdout.ShouldContain("Usage:");
        stdout.ShouldContain("serve");
        stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task ServeHelp_ListsEveryFlag_ExitsZero()
    {
        using var home = new TempDirectory("wright-cli");

        var (exitCode, stdout, _) = await WrightProcess.RunAsync(home.Path, ["serve", "--help"]);

        exitCode.ShouldBe(0);
        foreach (var flag in new[] { "--host", "--port", "--data-dir", "--database", "--allow-remote", "--insecure-remote", "--tls-cert", "--tls-key" })
        {
            stdout.ShouldContain(flag);
        }
    }

    [Fact]
    public async Task Version_PrintsTheBuildVersion_ExitsZero()
    {
        using var home = new TempDirectory("wright-cli");

        var (exitCode, stdout, _) = await WrightProcess.RunAsync(home.Path, ["--version"]);

        exitCode.ShouldBe(0);
        stdout.Trim().ShouldBe(WrightProcess.ExpectedVersion);
    }

    [Theory]
    [InlineData("--no-such-flag", "wright --help", "--no-such-flag")]
    [InlineData("serve --no-such-flag", "wright serve --help", "--no-such-flag")]
    [InlineData("serve --port not-a-number", "wright serve --help", "not-a-number")]
    [InlineData("no-such-command", "wright --help", "no-such-command")]
    public async Task BadArguments_PrintErrorAndUsageHint_ExitTwo(string arguments, string hint, string culprit)
    {
        using var home = new TempDirectory("wright-cli");

        var (exitCode, stdout, stderr) = await WrightProcess.RunAsync(home.Path, arguments.Split(' '));

        exitCode.ShouldBe(2, stdout + stderr);
        stderr.ShouldContain(culprit);
        stderr.ShouldContain($"Run '{hint}' for usage.");
        stdout.ShouldNotContain("Wright is listening");
    }
}
