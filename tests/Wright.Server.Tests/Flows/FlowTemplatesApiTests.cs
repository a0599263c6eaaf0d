using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Flows;

/// <summary>Flow templates over real HTTP: the built-in default, project templates in .wright/flows, user templates, validation and access.</summary>
public sealed class FlowTemplatesApiTests
{
    private const string ReviewYaml = """
        # Ask, draft, stop.
        name: review
        description: Ask and draft
        nodes:
          - id: ask
            type: userInput
            prompt: What should I build?
            output: request
          - id: draft
            type: llm
            prompt: "{{request}}"
            tools: false
            output: draft
          - id: end
            type: end
        edges:
          - { from: ask, to: draft }
          - { from: draft, to: end }
        """;

    [Fact]
    public async Task List_HasTheBuiltinDefault_AndGetShowsItsGraph()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var list = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/flows").Bounded();
        var item = list.GetProperty("items").EnumerateArray().Single();
        item.GetProperty("name").GetString().ShouldBe("default");
        item.GetProperty("source").GetString().ShouldBe("builtin");
        item.GetProperty("valid").GetBoolean().ShouldBeTrue();

        var template = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/flows/default").Bounded();
        template.GetProperty("graph").GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("type").GetString()).ShouldBe(["userInput", "llm"]);
        template.GetProperty("problems").GetArrayLength().ShouldBe(0);
        await (await server.Client.PutAsJsonAsync($"/api/projects/{project.Id}/flows/default", new { text = ReviewYaml, format = "yaml" }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.Conflict, "flow_builtin_readonly");
        await (await server.Client.GetAsync($"/api/projects/{project.Id}/flows/nothing").Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "flow_not_found");
    }

    [Fact]
    public async Task Put_ProjectTemplate_IsSavedInWrightFlows_WithItsText()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var saved = await server.Client.PutAsJsonAsync($"/api/projects/{project.Id}/flows/review", new { text = ReviewYaml, format = "yaml" }).Bounded();
        saved.StatusCode.ShouldBe(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        (await File.ReadAllTextAsync(Path.Combine(project.Path, ".wright", "flows", "review.yaml"))).ShouldBe(ReviewYaml, "the user's text, comments included, is what is saved");

        var template = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/flows/review").Bounded();
        template.GetProperty("source").GetString().ShouldBe("project");
        template.GetProperty("graph").GetProperty("description").GetString().ShouldBe("Ask and draft");
        var names = (await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/flows").Bounded()).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString());
        names.ShouldBe(["default", "review"]);

        (await server.Client.DeleteAsync($"/api/projects/{project.Id}/flows/review").Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        File.Exists(Path.Combine(project.Path, ".wright", "flows", "review.yaml")).ShouldBeFalse();
        await (await server.Client.DeleteAsync($"/api/projects/{project.Id}/flows/review").Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "flow_not_found");
    }

    [Fact]
    public async Task Put_GraphAsJson_IsWrittenAsYaml_AndUserScopeKeepsItWithTheUser()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var graph = FlowKit.ThreeNodes("mine");
        (await server.Client.PutAsJsonAsync($"/api/projects/{project.Id}/flows/mine?scope=user", new { graph }).Bounded()).EnsureSuccessStatusCode();
        Directory.Exists(Path.Combine(project.Path, ".wright", "flows")).ShouldBeFalse();
        var template = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/flows/mine").Bounded();
        template.GetProperty("source").GetString().ShouldBe("user");
        template.GetProperty("format").GetString().ShouldBe("yaml");
        template.GetProperty("text").GetString()!.ShouldContain("prompt: 'Write: {{request}}'", Case.Sensitive);

        // Another project of the same user sees it too; another user does not.
        var other = await server.CreateProjectAsync("other");
        (await server.Client.GetAsync($"/api/projects/{other.Id}/flows/mine").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await server.Client.DeleteAsync($"/api/projects/{project.Id}/flows/mine?scope=user").Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await server.Client.GetAsync($"/api/projects/{other.Id}/flows/mine").Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "flow_not_found");
    }

    [Fact]
    public async Task Put_AnInvalidTemplate_Is400WithItsProblems_AndValidateNamesThemWithoutSaving()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var bad = new
        {
            name = "bad",
            nodes = new object[] { new { id = "a", type = "teleport" }, new { id = "b", type = "llm", prompt = "{{ghost}}" } },
            edges = new object[] { new { from = "a", to = "b" }, new { from = "b", to = "c" } },
        };
        var refused = await (await server.Client.PutAsJsonAsync($"/api/projects/{project.Id}/flows/bad", new { graph = bad }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "flow_invalid");
        refused.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("code").GetString()).ShouldBe(["unknown_node_type", "unknown_node", "unknown_variable"], ignoreOrder: true);
        File.Exists(Path.Combine(project.Path, ".wright", "flows", "bad.yaml")).ShouldBeFalse();

        var checkedBad = await (await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/flows:validate", new { graph = bad }).Bounded()).Content.ReadFromJsonAsync<JsonElement>().Bounded();
        checkedBad.GetProperty("valid").GetBoolean().ShouldBeFalse();
        checkedBad.GetProperty("problems").EnumerateArray().Single(p => p.GetProperty("code").GetString() == "unknown_node").GetProperty("edge").GetProperty("to").GetString().ShouldBe("c");
        var yaml = await (await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/flows:validate", new { text = "nodes: [oops", format = "yaml" }).Bounded()).Content.ReadFromJsonAsync<JsonElement>().Bounded();
        yaml.GetProperty("problems")[0].GetProperty("code").GetString().ShouldBe("invalid_yaml");
        var good = await (await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/flows:validate", new { text = ReviewYaml, format = "yaml" }).Bounded()).Content.ReadFromJsonAsync<JsonElement>().Bounded();
        good.GetProperty("valid").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task BadNames_AreRefused_AndAnotherUsersProject_IsNotFound()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await (await server.Client.PutAsJsonAsync($"/api/projects/{project.Id}/flows/..%2Fescape", new { text = ReviewYaml, format = "yaml" }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "flow_name_invalid");
        await (await server.Client.PutAsJsonAsync($"/api/projects/{project.Id}/flows/UPPER", new { text = ReviewYaml, format = "yaml" }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "flow_name_invalid");

        var (stranger, _) = await server.CreateUserClientAsync("stranger");
        (await stranger.GetAsync($"/api/projects/{project.Id}/flows").Bounded()).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"/api/projects/{project.Id}/flows/default").Bounded()).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.PutAsJsonAsync($"/api/projects/{project.Id}/flows/x", new { text = ReviewYaml, format = "yaml" }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.PostAsJsonAsync($"/api/projects/{project.Id}/flows:validate", new { text = ReviewYaml, format = "yaml" }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
