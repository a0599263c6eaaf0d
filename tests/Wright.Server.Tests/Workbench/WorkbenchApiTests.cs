using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Workbench;

/// <summary><c>GET/PUT /api/projects/{id}/workbench</c>: kept per user and project, size-limited.</summary>
public sealed class WorkbenchApiTests
{
    [Fact]
    public async Task Workbench_SavedByOneUser_ComesBackToThemOnlyAndToAnotherClientOfTheSameUser()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");
        (await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/members", new { userName = "bob" }).Bounded()).EnsureSuccessStatusCode();

        var empty = await server.Client.GetFromJsonAsync<JsonElement>(Url(project)).Bounded();
        empty.GetProperty("state").GetRawText().ShouldBe("{}");
        empty.GetProperty("updatedAt").ValueKind.ShouldBe(JsonValueKind.Null);

        var state = new { layout = new { left = 240, chat = true }, tabs = new[] { "src/a.ts", "README.md" }, active = "src/a.ts", cursors = new Dictionary<string, int[]> { ["src/a.ts"] = [12, 4] } };
        using var saved = await server.Client.PutAsJsonAsync(Url(project), new { state }).Bounded();
        saved.StatusCode.ShouldBe(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());

        var again = await server.ClientWithToken(server.IssueAccessToken(server.Admin)).GetFromJsonAsync<JsonElement>(Url(project)).Bounded();
        again.GetProperty("state").GetProperty("tabs").EnumerateArray().Select(t => t.GetString()).ShouldBe(["src/a.ts", "README.md"]);
        again.GetProperty("state").GetProperty("cursors").GetProperty("src/a.ts")[0].GetInt32().ShouldBe(12);
        again.GetProperty("updatedAt").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));

        var bobs = await bob.GetFromJsonAsync<JsonElement>(Url(project)).Bounded();
        bobs.GetProperty("state").GetRawText().ShouldBe("{}");
    }

    [Fact]
    public async Task Workbench_LargerThan64KiB_IsRefusedAndTheOldStateKept()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        (await server.Client.PutAsJsonAsync(Url(project), new { state = new { keep = "me" } }).Bounded()).EnsureSuccessStatusCode();

        using var tooLarge = await server.Client.PutAsJsonAsync(Url(project), new { state = new { blob = new string('x', 70 * 1024) } }).Bounded();
        using var notObject = await server.Client.PutAsync(Url(project), new StringContent("""{"state":[1,2]}""", Encoding.UTF8, "application/json")).Bounded();

        await tooLarge.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "workbench_state_too_large");
        await notObject.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var kept = await server.Client.GetFromJsonAsync<JsonElement>(Url(project)).Bounded();
        kept.GetProperty("state").GetProperty("keep").GetString().ShouldBe("me");
    }

    private static string Url(ProjectInfo project) => $"/api/projects/{project.Id}/workbench";
}
