using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Terminals;

/// <summary>Terminals of real `wright serve` processes: a shell outlives a restart; a flood stays within the server's memory bound.</summary>
public sealed class TerminalProcessTests
{
    [Fact]
    public async Task ServerRestart_TmuxShellKeepsRunning_AndItsOutputArrivesAfterReattach()
    {
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");
        await using var cleanup = new TmuxCleanup(dataDir);
        Guid terminalId;
        string token;
        await using (var first = StartServer(home, dataDir))
        {
            using var client = await ClientAsync(first);
            var projectId = await CreateProjectAsync(client, home);
            var terminal = await TerminalApi.CreateAsync(client, projectId);
            terminalId = terminal.Id;
            token = TerminalApi.BearerOf(client);
            await using var socket = await TerminalClient.ConnectAsync(client.BaseAddress!, token, terminalId);
            await socket.SendAsync("echo started-$((1+1)); sleep 2; echo done-$((40+2))\r");
            await socket.WaitForAsync("started-2");

            first.Signal(WrightProcess.SigTerm);
            (await first.WaitForExitAsync()).ShouldBe(0, first.Stderr);
        }

        await using var second = StartServer(home, dataDir);
        using var again = await ClientAsync(second);
        var info = await again.GetFromJsonAsync<TerminalInfo>($"/api/terminals/{terminalId}", WrightTestServer.Json).Bounded();
        info!.Status.ShouldBe("running");

        // The access token of the first process is still valid: the data protection keys persist.
        await using var reattached = await TerminalClient.ConnectAsync(again.BaseAddress!, TerminalApi.BearerOf(again), terminalId);
        await reattached.WaitForAsync("done-42");
        await reattached.SendAsync("echo alive-$((3*3))\r");
        await reattached.WaitForAsync("alive-9");
    }

    [Theory]
    [InlineData("tmux")]
    [InlineData("pty")]
    public async Task Flood_WithAStalledClient_KeepsServerMemoryUnderItsBound(string host)
    {
        const long FloodBytes = 128L * 1024 * 1024;
        const long BoundBytes = 48L * 1024 * 1024;
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");
        await using var cleanup = new TmuxCleanup(dataDir);
        await using var server = StartServer(home, dataDir, host);
        using var client = await ClientAsync(server);
        var projectId = await CreateProjectAsync(client, home);
        var terminal = await TerminalApi.CreateAsync(client, projectId);
        var token = TerminalApi.BearerOf(client);
        var marker = Path.Combine(home.Path, "flood-finished");

        // Warm up: the server has attached, echoed and sent once before its baseline is taken.
        await using (var warm = await TerminalClient.ConnectAsync(client.BaseAddress!, token, terminal.Id))
        {
            await warm.SendAsync("echo warm-$((2+2))\r");
            await warm.WaitForAsync("warm-4");
        }

        var baseline = Rss(server.Id);
        await using var stalled = await TerminalClient.ConnectAsync(client.BaseAddress!, token, terminal.Id, read: false);
        await using var reader = await TerminalClient.ConnectAsync(client.BaseAddress!, token, terminal.Id);
        await reader.SendAsync($"head -c {FloodBytes.ToString(CultureInfo.InvariantCulture)} /dev/zero | tr '\\0' x; touch {marker}; echo; echo flood-$((5*5))-end\r");
        await reader.WaitForAsync("flood-25-end");
        File.Exists(marker).ShouldBeTrue();

        var peak = PeakRss(server.Id);
        (peak - baseline).ShouldBeLessThan(BoundBytes, $"RSS grew from {baseline / 1_048_576} MB to a peak of {peak / 1_048_576} MB while {FloodBytes / 1_048_576} MB went through the terminal");
        if (host == "tmux")
        {
            // tmux skips frames for a client that reads slower than the flood; the server's own
            // PTY gives a reader that keeps up every byte, and a stalled one coalesced output.
            reader.BytesReceived.ShouldBeLessThan(FloodBytes, "a client that cannot keep up gets coalesced output, not every byte");
        }
    }

    private static WrightProcess StartServer(TempDirectory home, string dataDir, string host = "tmux")
    {
        var environment = new Dictionary<string, string> { ["WRIGHT_ADMIN_PASSWORD"] = WrightTestServer.AdminPassword };
        if (host == "pty")
        {
            environment["Wright__Terminals__Tmux"] = "off";
        }

        return WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", dataDir], environment);
    }

    private static async Task<HttpClient> ClientAsync(WrightProcess server)
    {
        var client = new HttpClient { BaseAddress = await server.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        await WrightTestServer.LogInAsAdminAsync(client);
        return client;
    }

    private static async Task<Guid> CreateProjectAsync(HttpClient client, TempDirectory home)
    {
        using var created = await client.PostAsJsonAsync("/api/projects", new { name = "shells", path = home.Combine("work", "shells") }).Bounded();
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
    }

    private static long Rss(int pid) => StatusKilobytes(pid, "VmRSS:") * 1024;

    private static long PeakRss(int pid) => StatusKilobytes(pid, "VmHWM:") * 1024;

    private static long StatusKilobytes(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
