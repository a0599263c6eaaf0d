using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Terminals;

/// <summary>Terminals over a real WebSocket of a real server, with shells in tmux (the default here) or in the server's own PTY.</summary>
public sealed class TerminalTests
{
    [Fact]
    public async Task Attach_EchoCommand_OutputArrives()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id, new { name = "build", shell = "/bin/sh", cols = 80, rows = 24 });
        terminal.Host.ShouldBe("tmux");
        terminal.SurvivesRestart.ShouldBeTrue();
        terminal.Name.ShouldBe("build");

        await using var client = await TerminalClient.ConnectAsync(server.BaseAddress, TerminalApi.BearerOf(server.Client), terminal.Id);
        await client.SendAsync("echo $((6*7))round-trip; pwd\r");

        await client.WaitForAsync("42round-trip");
        await client.WaitForAsync(Path.GetFileName(project.Path));
    }

    [Fact]
    public async Task Resize_ControlMessage_ReachesSttySize()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id);
        await using var client = await TerminalClient.ConnectAsync(server.BaseAddress, TerminalApi.BearerOf(server.Client), terminal.Id);
        await client.SendAsync("echo ready$((1+1))\r");
        await client.WaitForAsync("ready2");

        await client.ResizeAsync(123, 37);
        await client.SendAsync("stty size\r");

        await client.WaitForAsync("37 123");
        var stored = await server.Client.GetFromJsonAsync<TerminalInfo>($"/api/terminals/{terminal.Id}", WrightTestServer.Json).Bounded();
        (stored!.Cols, stored.Rows).ShouldBe((123, 37));
    }

    [Fact]
    public async Task Reattach_WhileVimRuns_RestoresTheScreen()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "notes.txt"), "first line\nMARKER-IN-THE-FILE\nlast line\n");
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id);
        var token = TerminalApi.BearerOf(server.Client);

        await using (var first = await TerminalClient.ConnectAsync(server.BaseAddress, token, terminal.Id))
        {
            await first.SendAsync("vim -u NONE -N notes.txt; echo vim-exited-$((3*3))\r");
            await first.WaitForAsync("MARKER-IN-THE-FILE");
        }

        await using var second = await TerminalClient.ConnectAsync(server.BaseAddress, token, terminal.Id);
        await second.WaitForAsync("MARKER-IN-THE-FILE");
        await second.WaitForAsync("last line");

        // The screen is vim's, still live: quitting it gives the shell back.
        await second.SendAsync(":q!\r");
        await second.WaitForAsync("vim-exited-9");
    }

    [Fact]
    public async Task Reattach_AfterLongOutput_RestoresTenThousandLinesOfScrollback()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id);
        var token = TerminalApi.BearerOf(server.Client);
        await using (var first = await TerminalClient.ConnectAsync(server.BaseAddress, token, terminal.Id))
        {
            await first.SendAsync("seq 100001 112000; echo seq-$((1+1))-done\r");
            await first.WaitForAsync("seq-2-done");
        }

        await using var second = await TerminalClient.ConnectAsync(server.BaseAddress, token, terminal.Id);
        await second.WaitForAsync("seq-2-done");

        // 12,000 lines were printed; tmux keeps the last 10,000 of history above the screen.
        var lines = second.Output.Split("\r\n").Select(l => l.Replace("\u001b[0m", "", StringComparison.Ordinal)).ToHashSet();
        Enumerable.Range(102_100, 9_800).Count(n => lines.Contains(n.ToString(System.Globalization.CultureInfo.InvariantCulture))).ShouldBe(9_800);
    }

    [Fact]
    public async Task Exit_ShellEnds_SendsExitCodeAndListsTerminalAsExited()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id);
        await using var client = await TerminalClient.ConnectAsync(server.BaseAddress, TerminalApi.BearerOf(server.Client), terminal.Id);

        await client.SendAsync("exit 3\r");

        (await client.WaitForExitAsync()).ShouldBe(3);
        await client.WaitForCloseAsync();
        var list = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/terminals").Bounded();
        var item = list.GetProperty("items").EnumerateArray().Single();
        item.GetProperty("status").GetString().ShouldBe("exited");
        item.GetProperty("exitCode").GetInt32().ShouldBe(3);

        // Attaching to an ended terminal tells its end at once.
        await using var late = await TerminalClient.ConnectAsync(server.BaseAddress, TerminalApi.BearerOf(server.Client), terminal.Id);
        (await late.WaitForExitAsync()).ShouldBe(3);
    }

    [Fact]
    public async Task ListRenameKillDelete_ManageTheCallersTerminals()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        Directory.CreateDirectory(Path.Combine(project.Path, "src"));
        var one = await TerminalApi.CreateAsync(server.Client, project.Id, new { cwd = "src", cols = 100, rows = 30 });
        var two = await TerminalApi.CreateAsync(server.Client, project.Id);
        one.Cwd.ShouldBe("src");
        (one.Name, two.Name).ShouldBe(("Terminal 1", "Terminal 2"));

        using var renamed = await server.Client.PatchAsJsonAsync($"/api/terminals/{one.Id}", new { name = "server" }).Bounded();
        renamed.EnsureSuccessStatusCode();
        using var killed = await server.Client.PostAsync($"/api/terminals/{two.Id}:kill", null).Bounded();
        var killedInfo = (await killed.Content.ReadFromJsonAsync<TerminalInfo>(WrightTestServer.Json).Bounded())!;
        var list = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/terminals").Bounded();

        killedInfo.Status.ShouldBe("exited");
        var items = list.GetProperty("items").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("name").GetString()).ShouldBe(["server", "Terminal 2"]);
        items.Select(i => i.GetProperty("status").GetString()).ShouldBe(["running", "exited"]);

        using var deleted = await server.Client.DeleteAsync($"/api/terminals/{one.Id}").Bounded();
        deleted.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var gone = await server.Client.GetAsync($"/api/terminals/{one.Id}").Bounded();
        await gone.ShouldBeProblemAsync(HttpStatusCode.NotFound, "terminal_not_found");
    }

    [Fact]
    public async Task Create_BadInput_IsRefusedWithItsCode()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();

        using var outside = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/terminals", new { cwd = "../..", cols = 80, rows = 24 }).Bounded();
        using var shell = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/terminals", new { shell = "/no/such/shell", cols = 80, rows = 24 }).Bounded();
        using var size = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/terminals", new { cols = 0, rows = 24 }).Bounded();
        using var missing = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/terminals", new { cwd = "nowhere", cols = 80, rows = 24 }).Bounded();

        await outside.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "path_outside_project");
        await shell.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "terminal_shell_not_found");
        await size.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "terminal_size_invalid");
        await missing.ShouldBeProblemAsync(HttpStatusCode.NotFound, "directory_not_found");
    }

    [Fact]
    public async Task AnotherUsersTerminal_IsNotFound()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id);
        var (other, _) = await server.CreateUserClientAsync("mallory");
        using var addMember = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/members", new { userName = "mallory" }).Bounded();
        addMember.EnsureSuccessStatusCode();

        using var get = await other.GetAsync($"/api/terminals/{terminal.Id}").Bounded();
        using var kill = await other.PostAsync($"/api/terminals/{terminal.Id}:kill", null).Bounded();
        var list = await other.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/terminals").Bounded();
        var attach = await TerminalClient.RefusedStatusAsync(server.BaseAddress, TerminalApi.BearerOf(other), terminal.Id);

        await get.ShouldBeProblemAsync(HttpStatusCode.NotFound, "terminal_not_found");
        await kill.ShouldBeProblemAsync(HttpStatusCode.NotFound, "terminal_not_found");
        list.GetProperty("items").GetArrayLength().ShouldBe(0, "a member sees only their own terminals");
        attach.ShouldBe(HttpStatusCode.NotFound);
        var stillRunning = await server.Client.GetFromJsonAsync<TerminalInfo>($"/api/terminals/{terminal.Id}", WrightTestServer.Json).Bounded();
        stillRunning!.Status.ShouldBe("running");
    }

    [Fact]
    public async Task Attach_FromAnotherOrigin_IsForbidden()
    {
        await using var server = await WrightTestServer.StartAsync();
        await using var cleanup = new TmuxCleanup(server.DataDir);
        var project = await server.CreateProjectAsync();
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id);
        var token = TerminalApi.BearerOf(server.Client);

        var foreign = await TerminalClient.RefusedStatusAsync(server.BaseAddress, token, terminal.Id, origin: "http://evil.example");
        await using var own = await TerminalClient.ConnectAsync(server.BaseAddress, token, terminal.Id, origin: server.BaseAddress.GetLeftPart(UriPartial.Authority));

        foreign.ShouldBe(HttpStatusCode.Forbidden);
        own.Socket.State.ShouldBe(System.Net.WebSockets.WebSocketState.Open);
    }

    [Fact]
    public async Task WithoutTmux_ShellRunsInTheServersPty_AndSaysItEndsWithTheServer()
    {
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Configuration["Wright:Terminals:Tmux"] = "/nonexistent/tmux");
        var project = await server.CreateProjectAsync();
        var terminal = await TerminalApi.CreateAsync(server.Client, project.Id);
        terminal.Host.ShouldBe("pty");
        terminal.SurvivesRestart.ShouldBeFalse();
        var token = TerminalApi.BearerOf(server.Client);

        await using (var first = await TerminalClient.ConnectAsync(server.BaseAddress, token, terminal.Id))
        {
            await first.ResizeAsync(90, 20);
            await first.SendAsync("stty size; echo pty-$((40+2))\r");
            await first.WaitForAsync("pty-42");
            first.Output.ShouldContain("20 90");
        }

        await using var second = await TerminalClient.ConnectAsync(server.BaseAddress, token, terminal.Id);
        await second.WaitForAsync("pty-42");
        await second.SendAsync("exit 5\r");
        (await second.WaitForExitAsync()).ShouldBe(5);
    }
}
