using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Accounts;
using Wright.Core.Agents;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Agents;

/// <summary><c>GET /api/agents/{id}/commits</c>: the commits of the agent's directory made during each of its tasks, from real git.</summary>
public sealed class AgentCommitsTests
{
    [Fact]
    public async Task Commits_PerTask_AreTheCommitsMadeBetweenItsStartAndEnd()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var token = await server.Services.GetRequiredService<PersonalAccessTokenService>().CreateAsync(Actor.CommandLine, server.Admin.Id, "hooks", null, [TokenScopes.Hooks], CancellationToken.None).Bounded();
        var hooks = server.ClientWithToken(token.Secret);
        using var created = await server.Client.PostAsJsonAsync("/api/projects", new { name = "shop" }).Bounded();
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var project = (await created.Content.ReadFromJsonAsync<JsonElement>().Bounded());
        var root = project.GetProperty("path").GetString()!;

        // The project's first commit was made just now; the agent starts a minute later.
        clock.Advance(TimeSpan.FromMinutes(1));

        // Task 1 commits a.txt; between the tasks b.txt is committed by someone else; task 2 commits c.txt.
        await HookAsync(hooks, "UserPromptSubmit", new { session_id = "s", cwd = root, prompt = "first" });
        await CommitAsync(root, "a.txt", clock.GetUtcNow().AddSeconds(20));
        clock.Advance(TimeSpan.FromMinutes(1));
        await HookAsync(hooks, "Stop", new { session_id = "s", cwd = root, last_assistant_message = "one" });
        await CommitAsync(root, "b.txt", clock.GetUtcNow().AddSeconds(30));
        clock.Advance(TimeSpan.FromMinutes(1));
        await HookAsync(hooks, "UserPromptSubmit", new { session_id = "s", cwd = root, prompt = "second" });
        await CommitAsync(root, "c.txt", clock.GetUtcNow().AddSeconds(20));
        clock.Advance(TimeSpan.FromMinutes(1));
        await HookAsync(hooks, "Stop", new { session_id = "s", cwd = root, last_assistant_message = "two" });

        var agents = await server.Client.GetFromJsonAsync<JsonElement>("/api/agents").Bounded();
        var agentId = agents.GetProperty("items")[0].GetProperty("id").GetString();
        var commits = await server.Client.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/commits").Bounded();

        commits.GetProperty("wrightProjectId").GetString().ShouldBe(project.GetProperty("id").GetString());
        commits.GetProperty("unavailable").ValueKind.ShouldBe(JsonValueKind.Null);
        var tasks = commits.GetProperty("tasks").EnumerateArray().ToList();
        tasks.Count.ShouldBe(2);
        Subjects(tasks[0]).ShouldBe(["Add c.txt"], "the newest task first, with only its own commit");
        Subjects(tasks[1]).ShouldBe(["Add a.txt"]);
        var file = tasks[1].GetProperty("commits")[0].GetProperty("files")[0];
        file.GetProperty("path").GetString().ShouldBe("a.txt");
        file.GetProperty("additions").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task Commits_OfAnotherUsersAgent_AreNotFound_AndAReservedDirectoryIsNotRead()
    {
        await using var server = await WrightTestServer.StartAsync();
        var token = await server.Services.GetRequiredService<PersonalAccessTokenService>().CreateAsync(Actor.CommandLine, server.Admin.Id, "hooks", null, [TokenScopes.Hooks], CancellationToken.None).Bounded();
        var hooks = server.ClientWithToken(token.Secret);

        // An agent that reports /etc as its directory: the board never runs git there.
        await HookAsync(hooks, "UserPromptSubmit", new { session_id = "s", cwd = "/etc", prompt = "look around" });
        var agents = await server.Client.GetFromJsonAsync<JsonElement>("/api/agents").Bounded();
        var agentId = agents.GetProperty("items")[0].GetProperty("id").GetString();
        var commits = await server.Client.GetFromJsonAsync<JsonElement>($"/api/agents/{agentId}/commits").Bounded();
        commits.GetProperty("unavailable").GetString().ShouldNotBeNullOrEmpty();
        commits.GetProperty("tasks").GetArrayLength().ShouldBe(0);

        var (bob, _) = await server.CreateUserClientAsync("bob");
        using var asBob = await bob.GetAsync($"/api/agents/{agentId}/commits").Bounded();
        await asBob.ShouldBeProblemAsync(HttpStatusCode.NotFound, "agent_not_found");
    }

    private static List<string> Subjects(JsonElement task) =>
        task.GetProperty("commits").EnumerateArray().Select(c => c.GetProperty("subject").GetString()!).ToList();

    private static async Task HookAsync(HttpClient hooks, string eventName, object payload)
    {
        using var response = await AgentKit.PostHookAsync(hooks, eventName, JsonSerializer.Serialize(payload));
        response.StatusCode.ShouldBe(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Commits one new file with the given date (author and committer), as an agent's git would.</summary>
    private static async Task CommitAsync(string root, string file, DateTimeOffset at)
    {
        await File.WriteAllTextAsync(Path.Combine(root, file), "x\n");
        var date = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + " +0000";
        await GitAsync(root, date, "add", file);
        await GitAsync(root, date, "-c", "user.name=Agent", "-c", "user.email=agent@example.invalid", "commit", "-q", "-m", $"Add {file}");
    }

    private static async Task GitAsync(string root, string date, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_AUTHOR_DATE"] = date;
        start.Environment["GIT_COMMITTER_DATE"] = date;
        using var git = Process.Start(start)!;
        var error = git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync().Bounded();
        git.ExitCode.ShouldBe(0, await error);
    }
}
