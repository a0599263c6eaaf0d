using System.Net;
using System.Net.Http.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Projects;

public sealed class ProjectsApiTests
{
    [Fact]
    public async Task CreateProject_NewPath_InitialisesGitRepositoryWithOneCommit()
    {
        await using var server = await WrightTestServer.StartAsync();

        var project = await server.CreateProjectAsync("hello");

        Directory.Exists(Path.Combine(project.Path, ".git")).ShouldBeTrue();
        var get = await server.Client.GetFromJsonAsync<ProjectInfo>($"/api/projects/{project.Id}", WrightTestServer.Json).Bounded();
        get.ShouldBe(project);
    }

    [Fact]
    public async Task CreateProject_SamePathTwice_ReturnsConflict()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var again = await server.Client.PostAsJsonAsync("/api/projects", new { name = "again", path = project.Path }).Bounded();

        await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_path_exists");
    }

    [Fact]
    public async Task GetProject_UnknownId_ReturnsProjectNotFound()
    {
        await using var server = await WrightTestServer.StartAsync();

        var response = await server.Client.GetAsync($"/api/projects/{Guid.NewGuid()}").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
    }
}
