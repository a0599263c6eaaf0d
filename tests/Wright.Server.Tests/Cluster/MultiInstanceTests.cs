using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Cluster;

/// <summary>Two real `wright serve` processes, A and B, on one real PostgreSQL database.</summary>
public sealed class MultiInstanceTests
{
    [PostgresFact]
    public async Task TwoSimultaneousStarts_OnAnEmptyDatabase_BothComeUp_WithOneAdmin()
    {
        using var home = new TempDirectory("wright-cluster-start");
        await using var postgres = await PostgresTestDatabase.CreateAsync();
        await using var cluster = new TwoInstances(home, postgres.Url);

        var a = cluster.Start("a");
        var b = cluster.Start("b");
        using var clientA = await TwoInstances.AdminClientAsync(a);
        using var clientB = await TwoInstances.AdminClientAsync(b);

        (await clientA.GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await clientB.GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await cluster.QueryAsync<long>("SELECT COUNT(*) FROM users")).ShouldBe(1L);
        a.Stderr.ShouldNotContain("taken");
        b.Stderr.ShouldNotContain("taken");
    }

    [PostgresFact]
    public async Task LoginAttempts_AreCountedAcrossInstances()
    {
        using var home = new TempDirectory("wright-cluster-throttle");
        await using var postgres = await PostgresTestDatabase.CreateAsync();
        await using var cluster = new TwoInstances(home, postgres.Url, new Dictionary<string, string> { ["Wright__Accounts__LoginAttemptsPerUserName"] = "3" });
        var a = cluster.Start("a");
        var b = cluster.Start("b");
        using var clientA = new HttpClient { BaseAddress = await a.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        using var clientB = new HttpClient { BaseAddress = await b.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        var wrong = new { userName = "admin", password = "not the password" };

        // Two on each instance: each alone stays under 3, together they are over.
        foreach (var client in new[] { clientA, clientB, clientA })
        {
            (await client.PostAsJsonAsync("/api/auth/login", wrong).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var fourth = await clientB.PostAsJsonAsync("/api/auth/login", wrong).Bounded();
        await fourth.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [PostgresFact]
    public async Task ALoginOnA_WorksOnB_AndItsLogoutOnA_CutsItOnB()
    {
        using var home = new TempDirectory("wright-cluster-login");
        await using var postgres = await PostgresTestDatabase.CreateAsync();
        await using var cluster = new TwoInstances(home, postgres.Url);
        var a = cluster.Start("a");
        using var clientA = await TwoInstances.AdminClientAsync(a);
        var b = cluster.Start("b");
        using var clientB = new HttpClient { BaseAddress = await b.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        clientB.DefaultRequestHeaders.Authorization = clientA.DefaultRequestHeaders.Authorization;

        var projectId = await cluster.CreateProjectAsync(clientA, "shared");
        var onB = await clientB.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}").Bounded();
        onB.GetProperty("id").GetGuid().ShouldBe(projectId, "B reads what A wrote, with A's token");

        (await clientA.PostAsJsonAsync("/api/auth/logout", new { }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        // A cuts the login at its next request (RevocationTests); B hears of it through NOTIFY, which
        // the logout's commit sends but which reaches B's listener a moment later: wait for it, bounded.
        var after = await clientB.GetAsync("/api/projects").Bounded();
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            while (after.StatusCode == HttpStatusCode.OK)
            {
                after.Dispose();
                await Task.Delay(20, bound.Token);
                after = await clientB.GetAsync("/api/projects").Bounded();
            }
        }

        using (after)
        {
            await after.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        }
    }

    [PostgresFact]
    public async Task EventsOfA_ReachASubscriberOnB_InOrder_AndItResumesOnA()
    {
        using var home = new TempDirectory("wright-cluster-events");
        await using var postgres = await PostgresTestDatabase.CreateAsync();
        await using var cluster = new TwoInstances(home, postgres.Url);
        var a = cluster.Start("a");
        var b = cluster.Start("b");
        using var clientA = await TwoInstances.AdminClientAsync(a);
        using var clientB = await TwoInstances.AdminClientAsync(b);
        var projectId = await cluster.CreateProjectAsync(clientA, "events");
        await using var onA = await SseStream.OpenAsync(clientA, $"/api/events?projectId={projectId}");
        await onA.WaitForPositionAsync();
        await using var onB = await SseStream.OpenAsync(clientB, $"/api/events?projectId={projectId}");
        await onB.WaitForPositionAsync();

        var paths = Enumerable.Range(1, 6).Select(i => $"notes/{i}.txt").ToList();
        foreach (var path in paths)
        {
            (await clientA.PutAsync($"/api/projects/{projectId}/files/{path}", new StringContent($"note {path}")).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var seenOnB = new List<SseMessage>();
        while (seenOnB.Count < paths.Count)
        {
            var message = await onB.NextEventAsync();
            if (message.Event == "file.changed")
            {
                seenOnB.Add(message);
            }
        }

        seenOnB.Select(m => m.Path).ShouldBe(paths, "B sees A's events in the order A published them");
        var idsOnB = seenOnB.Select(m => long.Parse(m.Id!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        idsOnB.ShouldBe(idsOnB.Order().ToList());
        var seenOnA = new List<SseMessage>();
        while (seenOnA.Count < paths.Count)
        {
            var message = await onA.NextEventAsync();
            if (message.Event == "file.changed")
            {
                seenOnA.Add(message);
            }
        }

        seenOnA.Select(m => m.Id).ShouldBe(seenOnB.Select(m => m.Id), "one id per event, the same on every instance");

        // The B client saw the first two, went away, and comes back on A.
        await using var resumed = await SseStream.OpenAsync(clientA, $"/api/events?projectId={projectId}", lastEventId: seenOnB[1].Id);
        var replayed = new List<SseMessage>();
        while (replayed.Count < paths.Count - 2)
        {
            var message = await resumed.NextEventAsync();
            message.Event.ShouldNotBe("resync", message.ToString());
            if (message.Event == "file.changed")
            {
                replayed.Add(message);
            }
        }

        replayed.Select(m => m.Id).ShouldBe(seenOnB.Skip(2).Select(m => m.Id));
        replayed.Select(m => m.Path).ShouldBe(paths.Skip(2));
    }

    [PostgresFact]
    public async Task SigkillOfAMidAnswer_BMarksItInterruptedWithItsText_OnlyAfterALease()
    {
        using var home = new TempDirectory("wright-cluster-lease");
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        fake.Enqueue(FakeReply.Text("Partial ", "answer ", "so far") with { Ending = FakeEnding.Stall });
        await using var postgres = await PostgresTestDatabase.CreateAsync();
        await using var cluster = new TwoInstances(home, postgres.Url, new Dictionary<string, string>
        {
            ["ANTHROPIC_BASE_URL"] = fake.AnthropicBaseUrl,
            ["ANTHROPIC_API_KEY"] = "sk-ant-test-key-0123456789",
            ["WRIGHT_DEFAULT_MODEL"] = ChatHarness.AnthropicModel,
            ["Conversations__FlushInterval"] = "00:00:00",
        });
        var a = cluster.Start("a");
        var b = cluster.Start("b");
        using var clientA = await TwoInstances.AdminClientAsync(a);
        using var clientB = await TwoInstances.AdminClientAsync(b);
        var projectId = await cluster.CreateProjectAsync(clientA, "lease");
        var session = await clientA.PostAsJsonAsync($"/api/projects/{projectId}/sessions", new { }).Bounded();
        var sessionId = (await session.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
        await using var stream = await SseStream.PostAsync(clientA, $"/api/sessions/{sessionId}/messages", new { content = "Tell me" });
        var messageId = (await stream.NextChatEventAsync()).Json.GetProperty("message").GetProperty("id").GetGuid();
        for (var i = 0; i < 3; i++)
        {
            (await stream.NextChatEventAsync()).Event.ShouldBe("delta");
        }

        a.Signal(9);
        (await a.WaitForExitAsync()).ShouldBe(137);
        var leaseUntil = await cluster.QueryAsync<long>(
            "SELECT i.lease_until_ms FROM answer_owners o JOIN cluster_instances i ON i.id = o.instance_id WHERE o.message_id = @id", ("id", messageId.ToString()));
        leaseUntil.ShouldBeGreaterThan(0L, "A owned the answer under a lease");
        var nowMs = await cluster.QueryAsync<long>("SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::bigint");
        if (nowMs < leaseUntil)
        {
            (await MessageAsync(clientB, sessionId, messageId)).GetProperty("status").GetString().ShouldBe("streaming", "A's lease has not run out yet");
        }

        JsonElement message;
        using (var bound = new CancellationTokenSource(TestTimeouts.Default))
        {
            while ((message = await MessageAsync(clientB, sessionId, messageId)).GetProperty("status").GetString() == "streaming")
            {
                await Task.Delay(100, bound.Token);
            }
        }

        message.GetProperty("status").GetString().ShouldBe("interrupted");
        message.GetProperty("content").GetString().ShouldBe("Partial answer so far");
        var interruptedAt = await cluster.QueryAsync<long>("SELECT updated_at_ms FROM chat_messages WHERE id = @id", ("id", messageId.ToString()));
        interruptedAt.ShouldBeGreaterThanOrEqualTo(leaseUntil, "B waited for the lease to run out");
    }

    private static async Task<JsonElement> MessageAsync(HttpClient client, Guid sessionId, Guid messageId)
    {
        var tree = await client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}").Bounded();
        return tree.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == messageId);
    }
}
