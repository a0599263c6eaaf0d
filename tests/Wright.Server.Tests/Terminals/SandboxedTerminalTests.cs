using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Terminals;

/// <summary>
/// A terminal opened with <c>sandbox: true</c> runs its shell under the project's bubblewrap
/// policy (tmux host and the server's own PTY alike); a plain terminal stays the user's own shell.
/// bubblewrap is installed here and in CI (CommandSandboxTests fails without it).
/// </summary>
public sealed class SandboxedTerminalTests
{
    [Theory]
    [InlineData("tmux")]
    [InlineData("pty")]
    public async Task SandboxedTerminal_WritesOnlyTheProject_AndSeesNoDataDirectory(string host)
    {
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Configuration["Wright:Terminals:Tmux"] = host == "pty" ? "off" : "");
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        var marker = $"wright-sandboxed-{Guid.NewGuid():N}";
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id, new { shell = "/bin/sh", cols = 100, rows = 30, sandbox = true });
        terminal.Sandboxed.ShouldBeTrue();
        terminal.Host.ShouldBe(host);

        await using var client = await TerminalClient.ConnectAsync(server.BaseAddress, TerminalApi.BearerOf(server.Client), terminal.Id);
        await client.SendAsync($"touch /tmp/{marker} inside.txt {server.DataDir}/{marker}; test -e {server.DataDir}/wright.db && echo db-visible || echo db-hidden-$((2+3))\r");

        await client.WaitForAsync("db-hidden-5");
        File.Exists(Path.Combine(project.Path, "inside.txt")).ShouldBeTrue("the project is writable from the sandbox");
        File.Exists(Path.Combine("/tmp", marker)).ShouldBeFalse("the sandbox has a private /tmp");
        File.Exists(Path.Combine(server.DataDir, marker)).ShouldBeFalse();
    }

    [Fact]
    public async Task PlainTerminal_IsTheUsersOwnShell()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        var marker = Path.Combine("/tmp", $"wright-plain-{Guid.NewGuid():N}");
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id, new { shell = "/bin/sh", cols = 100, rows = 30 });
        terminal.Sandboxed.ShouldBeFalse();

        await using var client = await TerminalClient.ConnectAsync(server.BaseAddress, TerminalApi.BearerOf(server.Client), terminal.Id);
        await client.SendAsync($"touch {marker}; echo touched-$((3*3))\r");
        await client.WaitForAsync("touched-9");
        try
        {
            File.Exists(marker).ShouldBeTrue();
        }
        finally
        {
            File.Delete(marker);
        }
    }
}
