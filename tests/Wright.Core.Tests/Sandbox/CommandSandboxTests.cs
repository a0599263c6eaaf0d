using System.Net;
using System.Net.Sockets;
using Wright.Core.Actions;
using Wright.Core.Errors;
using Wright.Core.Sandbox;

namespace Wright.Core.Tests.Sandbox;

/// <summary>The model's commands under bubblewrap (installed here): what they can see, write and reach.</summary>
public sealed class CommandSandboxTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"wright-sandbox-{Guid.NewGuid():N}");

    public CommandSandboxTests()
    {
        Project = Path.Combine(_root, "project");
        DataDir = Path.Combine(_root, "data");
        Directory.CreateDirectory(Project);
        Directory.CreateDirectory(Path.Combine(DataDir, "keys"));
        File.WriteAllText(Path.Combine(DataDir, "keys", "provider.key"), "KEY-MATERIAL-NEVER-SEEN");
        Sandbox = new CommandSandbox(new SandboxOptions { DataDir = DataDir });
    }

    private string Project { get; }

    private string DataDir { get; }

    private CommandSandbox Sandbox { get; }

    [Fact]
    public void Bubblewrap_IsAvailableHere()
    {
        Sandbox.IsAvailable.ShouldBeTrue("bubblewrap is installed on these machines and in CI; without it every other test here proves nothing");
    }

    [Fact]
    public async Task TouchTmp_LandsInAPrivateTmp()
    {
        var name = $"wright-sandbox-probe-{Guid.NewGuid():N}";

        var result = await RunAsync("sh", "-c", $"touch /tmp/{name} && ls /tmp/{name}");

        result.ExitCode.ShouldBe(0, result.Output);
        File.Exists(Path.Combine("/tmp", name)).ShouldBeFalse("the command's /tmp is its own");
    }

    [Fact]
    public async Task ReadDataDirectoryKeys_Fails()
    {
        var result = await RunAsync("sh", "-c", $"cat {DataDir}/keys/*");

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldNotContain("KEY-MATERIAL-NEVER-SEEN");
    }

    [Fact]
    public async Task WriteOutsideProject_FailsAndInsideSucceeds()
    {
        // Outside /tmp (the sandbox has its own /tmp): next to this test assembly.
        var outside = Path.Combine(AppContext.BaseDirectory, $"outside-{Guid.NewGuid():N}.txt");

        var denied = await RunAsync("sh", "-c", $"echo x > {outside}");
        var allowed = await RunAsync("sh", "-c", "echo inside > made-here.txt");

        var leaked = File.Exists(outside);
        File.Delete(outside);
        denied.ExitCode.ShouldNotBe(0);
        leaked.ShouldBeFalse();
        allowed.ExitCode.ShouldBe(0, allowed.Output);
        File.ReadAllText(Path.Combine(Project, "made-here.txt")).ShouldBe("inside\n");
    }

    [Fact]
    public async Task HomeSecrets_AreInvisible()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var ssh = Path.Combine(home, ".ssh");
        if (!Directory.Exists(ssh))
        {
            Directory.CreateDirectory(ssh);
        }

        var result = await RunAsync("sh", "-c", $"ls -A {ssh} | wc -l");

        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.Trim().ShouldBe("0");
    }

    [Fact]
    public async Task NetworkOff_LoopbackConnectionFails_AndOnSucceeds()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connect = $"exec 3<>/dev/tcp/127.0.0.1/{port} && echo connected";

        var on = await RunAsync("bash", "-c", connect);
        await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(Project, ".wright")).FullName, "config"), "{ \"network\": false }");
        var off = await RunAsync("bash", "-c", connect);

        on.Output.ShouldContain("connected");
        off.ExitCode.ShouldNotBe(0);
        off.Output.ShouldNotContain("connected");
    }

    [Fact]
    public async Task Required_WithoutBubblewrap_RefusesWithItsCode()
    {
        await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(Project, ".wright")).FullName, "config"), "{ \"sandbox\": \"required\" }");
        var missing = new CommandSandbox(new SandboxOptions { Bwrap = "/nonexistent/bwrap", DataDir = DataDir });
        var marker = Path.Combine(Project, "ran.txt");

        var refused = await Should.ThrowAsync<WrightException>(() => CommandHandler.RunAsync(new CommandAction("touch", [marker]), Project, null, missing, Timeout()));

        refused.Code.ShouldBe(ErrorCodes.SandboxUnavailable);
        refused.Kind.ShouldBe(ErrorKind.Unavailable);
        File.Exists(marker).ShouldBeFalse();
    }

    [Fact]
    public async Task Off_RunsUnconfined()
    {
        await File.WriteAllTextAsync(Path.Combine(Directory.CreateDirectory(Path.Combine(Project, ".wright")).FullName, "config"), "{ \"sandbox\": \"off\" }");

        var result = await RunAsync("sh", "-c", $"cat {DataDir}/keys/*");

        result.Output.ShouldContain("KEY-MATERIAL-NEVER-SEEN");
    }

    [Fact]
    public async Task MemoryLimit_StopsAnAllocationOverIt()
    {
        var limited = new CommandSandbox(new SandboxOptions { DataDir = DataDir, MemoryBytes = 64L * 1024 * 1024 });

        var result = await CommandHandler.RunAsync(new CommandAction("python3", ["-c", "b = bytearray(256 * 1024 * 1024); print('allocated')"]), Project, null, limited, Timeout());

        result.ExitCode.ShouldNotBe(0);
        result.Output.ShouldNotContain("allocated");
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
    }

    private Task<CommandResult> RunAsync(string executable, params string[] arguments) =>
        CommandHandler.RunAsync(new CommandAction(executable, arguments), Project, null, Sandbox, Timeout());

    private static CancellationToken Timeout() => new CancellationTokenSource(Bound).Token;
}
