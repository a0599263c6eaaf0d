using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Accounts;

/// <summary>Admins manage users and read the audit log; members do neither.</summary>
public sealed class UsersAndAuditTests
{
    [Fact]
    public async Task Admin_CreatesListsAndPromotesUsers_WithoutHashesInAnswers()
    {
        await using var server = await WrightTestServer.StartAsync();

        using var created = await server.Client.PostAsJsonAsync("/api/users", new { userName = "carol", password = "carol-password" }).Bounded();
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var carol = await created.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        carol.GetProperty("role").GetString().ShouldBe("member");
        using var promoted = await server.Client.PatchAsJsonAsync($"/api/users/{carol.GetProperty("id").GetGuid()}", new { role = "admin" }).Bounded();
        (await promoted.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("role").GetString().ShouldBe("admin");
        var list = await server.Client.GetStringAsync("/api/users?limit=1").Bounded();

        list.ShouldNotContain("AQAAAA");
        list.ShouldNotContain("password", Case.Insensitive);
        var page = JsonDocument.Parse(list).RootElement;
        page.GetProperty("items").GetArrayLength().ShouldBe(1);
        var next = await server.Client.GetFromJsonAsync<JsonElement>($"/api/users?limit=1&cursor={page.GetProperty("nextCursor").GetString()}").Bounded();
        next.GetProperty("items")[0].GetProperty("userName").GetString().ShouldBe("carol");
        (await server.LoginAsync("carol", "carol-password")).User.Role.ShouldBe("admin");
    }

    [Fact]
    public async Task Member_OnUsersAndAudit_GetsAdminRequired()
    {
        await using var server = await WrightTestServer.StartAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");

        using var users = await bob.GetAsync("/api/users").Bounded();
        using var create = await bob.PostAsJsonAsync("/api/users", new { userName = "mallory", password = "mallory-password", role = "admin" }).Bounded();
        using var audit = await bob.GetAsync("/api/audit").Bounded();

        await users.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admin_required");
        await create.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admin_required");
        await audit.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admin_required");
    }

    [Fact]
    public async Task Admin_DisablingThemselves_IsRefused()
    {
        await using var server = await WrightTestServer.StartAsync();

        using var response = await server.Client.PatchAsJsonAsync($"/api/users/{server.Admin.Id}", new { disabled = true }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "user_self_lockout");
    }

    [Fact]
    public async Task AuditLog_RecordsSecurityEventsNewestFirstAndPages()
    {
        await using var server = await WrightTestServer.StartAsync();
        var anonymous = server.AnonymousClient();
        (await anonymous.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = "wrong-password" }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        var token = await (await server.Client.PostAsJsonAsync("/api/tokens", new { name = "t" }).Bounded()).Content.ReadFromJsonAsync<JsonElement>().Bounded();
        (await server.Client.DeleteAsync($"/api/tokens/{token.GetProperty("id").GetGuid()}").Bounded()).EnsureSuccessStatusCode();
        await server.CreateUserClientAsync("dave");
        var project = await server.CreateProjectAsync("doomed");
        (await server.Client.DeleteAsync($"/api/projects/{project.Id}").Bounded()).EnsureSuccessStatusCode();

        var actions = new List<string>();
        string? cursor = null;
        do
        {
            var page = await server.Client.GetFromJsonAsync<JsonElement>($"/api/audit?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}").Bounded();
            actions.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        actions.ShouldBe(["project.deleted", "user.created", "token.revoked", "token.created", "login.succeeded", "login.failed", "setup.completed"]);
        var text = await server.Client.GetStringAsync("/api/audit?limit=10").Bounded();
        text.ShouldNotContain("wrong-password");
        text.ShouldNotContain(token.GetProperty("token").GetString()!);
    }
}
