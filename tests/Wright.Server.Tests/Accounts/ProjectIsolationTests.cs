using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Accounts;

/// <summary>Users see only their own projects and those they are members of; others' answer 404 everywhere.</summary>
public sealed class ProjectIsolationTests
{
    [Fact]
    public async Task OtherUsersProject_OnEveryProjectScopedRoute_AnswersProjectNotFound()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("alices");
        (await server.Client.PutAsJsonAsync($"/api/projects/{project.Id}/files/secret.txt", new { content = "alice's secret" }).Bounded()).EnsureSuccessStatusCode();
        var (bob, _) = await server.CreateUserClientAsync("bob");
        var scoped = RouteTable.Of(server).Where(r => r.Pattern.StartsWith("/api/projects/{id", StringComparison.Ordinal)).ToList();

        scoped.Count.ShouldBeGreaterThan(20);
        foreach (var route in scoped)
        {
            using var response = await RouteTable.SendAsync(bob, route, project.Id);
            var body = await response.Content.ReadAsStringAsync().Bounded();
            response.StatusCode.ShouldBe(HttpStatusCode.NotFound, $"{route}: {body}");
            JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldBe("project_not_found", route.ToString());
        }

        using var events = await bob.GetAsync($"/api/events?projectId={project.Id}", HttpCompletionOption.ResponseHeadersRead).Bounded();
        await events.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "secret.txt")).Bounded()).ShouldBe("alice's secret");
        Directory.Exists(project.Path).ShouldBeTrue();
    }

    [Fact]
    public async Task UserB_ReadingUserAsFile_GetsNotFoundAndTheListLeavesItOut()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("alices");
        (await server.Client.PutAsJsonAsync($"/api/projects/{project.Id}/files/notes.md", new { content = "private" }).Bounded()).EnsureSuccessStatusCode();
        var (bob, _) = await server.CreateUserClientAsync("bob");

        using var read = await bob.GetAsync($"/api/projects/{project.Id}/files/notes.md").Bounded();

        await read.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
        var list = await bob.GetFromJsonAsync<JsonElement>("/api/projects").Bounded();
        list.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Member_SeesAndEditsTheProjectButOnlyTheOwnerDeletes()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("shared");
        var (bob, bobUser) = await server.CreateUserClientAsync("bob");

        using var add = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/members", new { userName = "bob" }).Bounded();
        add.StatusCode.ShouldBe(HttpStatusCode.Created);

        (await bob.GetFromJsonAsync<JsonElement>("/api/projects").Bounded()).GetProperty("items").GetArrayLength().ShouldBe(1);
        (await bob.PutAsJsonAsync($"/api/projects/{project.Id}/files/from-bob.txt", new { content = "hi" }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Created);
        using var delete = await bob.DeleteAsync($"/api/projects/{project.Id}").Bounded();
        await delete.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_owner_required");

        using var remove = await server.Client.DeleteAsync($"/api/projects/{project.Id}/members/{bobUser.Id}").Bounded();
        remove.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var after = await bob.GetAsync($"/api/projects/{project.Id}").Bounded();
        await after.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
    }

    [Fact]
    public async Task Admin_DoesNotSeeMembersProjects()
    {
        await using var server = await WrightTestServer.StartAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");
        var path = Path.Combine(server.DataDir, "projects", "bobs");
        var created = await (await bob.PostAsJsonAsync("/api/projects", new { name = "bobs", path }).Bounded()).Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded();

        using var response = await server.Client.GetAsync($"/api/projects/{created!.Id}").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
    }

    [Fact]
    public async Task PathOfAnotherUsersProject_ConflictDoesNotNameIt()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("very-private-name");
        (await server.Client.PatchAsJsonAsync($"/api/projects/{project.Id}", new { name = "Secret Plans" }).Bounded()).EnsureSuccessStatusCode();
        var (bob, _) = await server.CreateUserClientAsync("bob");

        using var response = await bob.PostAsJsonAsync("/api/projects:open", new { path = project.Path }).Bounded();

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_not_allowed");
        problem.GetProperty("detail").GetString()!.ShouldNotContain("Secret Plans");
        problem.GetProperty("detail").GetString()!.ShouldNotContain(project.Path);
    }
}
