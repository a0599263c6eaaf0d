using Wright.Core.Answers;
using Wright.Core.Conversations;
using Wright.Core.Llm;
using Wright.Core.Paging;
using Wright.Core.Projects;
using Wright.Storage.Conversations;
using Wright.Storage.Llm;
using Wright.Storage.Projects;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Conversations;

public sealed class SqliteConversationRepositoryTests : ConversationRepositoryTests<SqliteProvider>;

public sealed class PostgresConversationRepositoryTests : ConversationRepositoryTests<PostgresProvider>;

/// <summary>The conversation and LLM-settings repositories' contract, the same on every engine.</summary>
public abstract class ConversationRepositoryTests<TProvider> : StorageTestBase<TProvider>
    where TProvider : IStorageProvider
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);

    private ConversationRepository Repository => new(Database);

    [StorageFact]
    public async Task InsertTurn_ThenFinish_StoresMessagesInOrderAndTheFinalState()
    {
        var session = await NewSessionAsync();
        var user = NewMessage(session, null, MessageRole.User, "hello", MessageStatus.Complete);
        var assistant = NewMessage(session, user.Id, MessageRole.Assistant, "", MessageStatus.Streaming);
        var request = NewRequest(session, assistant.Id);

        await Repository.InsertTurnAsync(session with { CurrentLeafId = assistant.Id }, [user, assistant], request, CancellationToken.None).Bounded();
        await Repository.UpdateStreamingContentAsync([new StreamingContent(assistant.Id, "Hel", [], Start)], CancellationToken.None).Bounded();
        var final = assistant with { Content = "Hello!", Status = MessageStatus.Complete, ToolCalls = [new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}")] };
        var finished = request with { Status = AiRequestStatuses.Complete, InputTokens = 11, OutputTokens = 6, Cost = 0.000041m, TtftMs = 120, DurationMs = 900, Attempt = 2 };
        var retried = request with { Id = Guid.NewGuid(), Attempt = 1, Status = AiRequestStatuses.Error, ErrorCode = "provider_overloaded" };
        await Repository.FinishMessageAsync(final, finished, [retried], CancellationToken.None).Bounded();

        var messages = await Repository.ListMessagesAsync(session.Id, CancellationToken.None).Bounded();
        messages.Select(m => m.Seq).ShouldBe([1L, 2L]);
        (messages[1] with { ToolCalls = [] }).ShouldBe(final with { Seq = 2, ToolCalls = [] });
        messages[1].ToolCalls.ShouldBe(final.ToolCalls);
        (await Repository.GetSessionAsync(session.Id, CancellationToken.None).Bounded())!.CurrentLeafId.ShouldBe(assistant.Id);
        var requests = await Repository.ListRequestsAsync(session.Id, CancellationToken.None).Bounded();
        requests.OrderBy(r => r.Attempt).ShouldBe([retried, finished]);
    }

    [StorageFact]
    public async Task ARequestEndedBeforeItsStartLanded_IsStoredEnded_AndTheLateStartChangesNothing()
    {
        // A call's start is written beside the call and may wait for a database that was away;
        // its end must not need it, and the late start must not undo the end.
        var session = await NewSessionAsync();
        var started = NewRequest(session, null);
        var ended = started with { Status = AiRequestStatuses.Complete, InputTokens = 12, OutputTokens = 4, Cost = 0.5m, TtftMs = 30, DurationMs = 200 };

        await Repository.UpdateRequestAsync(ended, CancellationToken.None).Bounded();
        await Repository.InsertRequestAsync(started, CancellationToken.None).Bounded();

        (await Repository.ListRequestsAsync(session.Id, CancellationToken.None).Bounded()).ShouldBe([ended]);

        // And in the usual order, the end replaces the start.
        var second = NewRequest(session, null);
        await Repository.InsertRequestAsync(second, CancellationToken.None).Bounded();
        await Repository.UpdateRequestAsync(second with { Status = AiRequestStatuses.Error, ErrorCode = "provider_overloaded" }, CancellationToken.None).Bounded();
        (await Repository.ListRequestsAsync(session.Id, CancellationToken.None).Bounded()).Single(r => r.Id == second.Id).Status.ShouldBe(AiRequestStatuses.Error);
    }

    [StorageFact]
    public async Task DeleteUnsentRequest_RemovesOnlyARowStillStreaming()
    {
        var session = await NewSessionAsync();
        var unsent = NewRequest(session, null);
        var ended = NewRequest(session, null) with { Status = AiRequestStatuses.Complete };
        await Repository.InsertRequestAsync(unsent, CancellationToken.None).Bounded();
        await Repository.InsertRequestAsync(ended, CancellationToken.None).Bounded();

        await Repository.DeleteUnsentRequestAsync(unsent.Id, CancellationToken.None).Bounded();
        await Repository.DeleteUnsentRequestAsync(ended.Id, CancellationToken.None).Bounded();

        (await Repository.ListRequestsAsync(session.Id, CancellationToken.None).Bounded()).ShouldBe([ended]);
    }

    [StorageFact]
    public async Task SumUsage_EqualsTheSumOfTheRequests_PerProviderAndModel()
    {
        var session = await NewSessionAsync();
        var requests = new[]
        {
            NewRequest(session, null) with { Provider = "anthropic", Model = "claude", InputTokens = 10, OutputTokens = 5, CacheReadTokens = 2, Cost = 0.1m },
            NewRequest(session, null) with { Provider = "anthropic", Model = "claude", InputTokens = 20, OutputTokens = 7, CacheWriteTokens = 3, Cost = 0.000000000001m },
            NewRequest(session, null) with { Provider = "openai", Model = "gpt", InputTokens = 1, OutputTokens = 1, Cost = 0.25m },
        };
        await Repository.ImportAsync(NewSessionValue(session.ProjectId), [], [], CancellationToken.None).Bounded();
        foreach (var request in requests)
        {
            await Repository.InsertTurnAsync(session, [], request, CancellationToken.None).Bounded();
        }

        var sums = await Repository.SumUsageAsync(session.Id, CancellationToken.None).Bounded();

        sums.ShouldBe([
            new UsageSum("anthropic", "claude", 2, 30, 12, 2, 3, 0.100000000001m),
            new UsageSum("openai", "gpt", 1, 1, 1, 0, 0, 0.25m),
        ]);
    }

    [StorageFact]
    public async Task UpdateStreamingContent_SavesEveryAnswerOfTheBatch_AndLeavesAFinishedOneAlone()
    {
        var session = await NewSessionAsync();
        var user = NewMessage(session, null, MessageRole.User, "q", MessageStatus.Complete);
        var first = NewMessage(session, user.Id, MessageRole.Assistant, "", MessageStatus.Streaming);
        var second = NewMessage(session, user.Id, MessageRole.Assistant, "", MessageStatus.Streaming);
        var finished = NewMessage(session, user.Id, MessageRole.Assistant, "the final answer", MessageStatus.Complete);
        await Repository.InsertTurnAsync(session, [user, first, second, finished], null, CancellationToken.None).Bounded();
        var call = new ToolCall("call_1", "read_file", "{\"path\":\"a.txt\"}");

        await Repository.UpdateStreamingContentAsync(
            [new StreamingContent(first.Id, "one", [], Start), new StreamingContent(second.Id, "two", [call], Start.AddSeconds(1)), new StreamingContent(finished.Id, "late", [], Start)],
            CancellationToken.None).Bounded();

        (await Repository.GetMessageAsync(first.Id, CancellationToken.None).Bounded())!.Content.ShouldBe("one");
        var storedSecond = (await Repository.GetMessageAsync(second.Id, CancellationToken.None).Bounded())!;
        storedSecond.Content.ShouldBe("two");
        storedSecond.ToolCalls.ShouldBe([call]);
        storedSecond.UpdatedAt.ShouldBe(Start.AddSeconds(1));
        (await Repository.GetMessageAsync(finished.Id, CancellationToken.None).Bounded())!.Content.ShouldBe("the final answer");
    }

    [StorageFact]
    public async Task ProgressSaves_WhileOneBatchIsWritten_GathersTheNextAnswersTextsIntoOne_KeepingEachAnswersNewest()
    {
        var session = await NewSessionAsync();
        var user = NewMessage(session, null, MessageRole.User, "q", MessageStatus.Complete);
        var answers = Enumerable.Range(0, 5).Select(_ => NewMessage(session, user.Id, MessageRole.Assistant, "", MessageStatus.Streaming)).ToList();
        await Repository.InsertTurnAsync(session, [user, .. answers], null, CancellationToken.None).Bounded();

        // The first batch is held in the database until every other save was asked for.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = new List<int>();
        async Task WriteAsync(IReadOnlyList<StreamingContent> updates, CancellationToken cancellationToken)
        {
            int count;
            lock (batches)
            {
                batches.Add(updates.Count);
                count = batches.Count;
            }

            if (count == 1)
            {
                writing.SetResult();
                await release.Task.ConfigureAwait(false);
            }

            await Repository.UpdateStreamingContentAsync(updates, cancellationToken).ConfigureAwait(false);
        }

        var saves = new ProgressSaves(WriteAsync, TimeProvider.System);
        saves.Save(answers[0].Id, "a", []);
        await writing.Task.Bounded();
        for (var round = 1; round <= 3; round++)
        {
            foreach (var answer in answers)
            {
                saves.Save(answer.Id, $"{answer.Id} round {round}", []);
            }
        }

        var waiting = saves.SavedAsync(answers[0].Id);
        waiting.IsCompleted.ShouldBeFalse();
        release.SetResult();
        await Task.WhenAll(answers.Select(a => saves.SavedAsync(a.Id))).Bounded();
        await waiting.Bounded();

        lock (batches)
        {
            batches.ShouldBe([1, 5]);
        }

        foreach (var answer in answers)
        {
            (await Repository.GetMessageAsync(answer.Id, CancellationToken.None).Bounded())!.Content.ShouldBe($"{answer.Id} round 3");
        }
    }

    [StorageFact]
    public async Task ProgressSaves_AFailedBatch_ReachesTheAnswersWaitingForIt_AndTheNextSaveIsTriedAfresh()
    {
        var session = await NewSessionAsync();
        var user = NewMessage(session, null, MessageRole.User, "q", MessageStatus.Complete);
        var answer = NewMessage(session, user.Id, MessageRole.Assistant, "", MessageStatus.Streaming);
        await Repository.InsertTurnAsync(session, [user, answer], null, CancellationToken.None).Bounded();
        var fail = true;
        var saves = new ProgressSaves(
            (updates, cancellationToken) => fail ? Task.FromException(new InvalidOperationException("disk full")) : Repository.UpdateStreamingContentAsync(updates, cancellationToken),
            TimeProvider.System);

        saves.Save(answer.Id, "lost", []);
        (await Should.ThrowAsync<InvalidOperationException>(() => saves.SavedAsync(answer.Id).Bounded())).Message.ShouldBe("disk full");

        fail = false;
        saves.Save(answer.Id, "kept", []);
        await saves.SavedAsync(answer.Id).Bounded();
        (await Repository.GetMessageAsync(answer.Id, CancellationToken.None).Bounded())!.Content.ShouldBe("kept");
    }

    [StorageFact]
    public async Task InterruptStreaming_MarksStreamingMessagesAndRequests_KeepingTheirText()
    {
        var session = await NewSessionAsync();
        var user = NewMessage(session, null, MessageRole.User, "q", MessageStatus.Complete);
        var assistant = NewMessage(session, user.Id, MessageRole.Assistant, "", MessageStatus.Streaming);
        await Repository.InsertTurnAsync(session, [user, assistant], NewRequest(session, assistant.Id), CancellationToken.None).Bounded();
        await Repository.UpdateStreamingContentAsync([new StreamingContent(assistant.Id, "partial", [], Start)], CancellationToken.None).Bounded();

        (await Repository.InterruptStreamingAsync(Start.AddMinutes(1), CancellationToken.None).Bounded()).ShouldBe(1);

        var stored = (await Repository.GetMessageAsync(assistant.Id, CancellationToken.None).Bounded())!;
        stored.Status.ShouldBe(MessageStatus.Interrupted);
        stored.Content.ShouldBe("partial");
        (await Repository.ListRequestsAsync(session.Id, CancellationToken.None).Bounded()).Single().Status.ShouldBe(AiRequestStatuses.Interrupted);
        (await Repository.InterruptStreamingAsync(Start.AddMinutes(2), CancellationToken.None).Bounded()).ShouldBe(0);
    }

    [StorageFact]
    public async Task ListSessions_PagesNewestFirst_SearchesTitleAndContent_AndHidesArchived()
    {
        var project = await NewProjectAsync();
        var sessions = new List<Session>();
        for (var i = 0; i < 5; i++)
        {
            var session = NewSessionValue(project) with { Title = $"Session {i}", CreatedAt = Start.AddSeconds(i) };
            await Repository.InsertSessionAsync(session, CancellationToken.None).Bounded();
            sessions.Add(session);
        }

        await Repository.InsertTurnAsync(sessions[1], [NewMessage(sessions[1], null, MessageRole.User, "Fix the 100%_width bug", MessageStatus.Complete)], null, CancellationToken.None).Bounded();
        await Repository.UpdateSessionAsync(sessions[4] with { ArchivedAt = Start }, CancellationToken.None).Bounded();

        var first = await Repository.ListSessionsAsync(project, new PageRequest(2, null), null, false, CancellationToken.None).Bounded();
        var second = await Repository.ListSessionsAsync(project, new PageRequest(2, first.NextCursor), null, false, CancellationToken.None).Bounded();

        first.Items.Select(s => s.Id).ShouldBe([sessions[3].Id, sessions[2].Id]);
        second.Items.Select(s => s.Id).ShouldBe([sessions[1].Id, sessions[0].Id]);
        second.NextCursor.ShouldBeNull();
        (await Repository.ListSessionsAsync(project, new PageRequest(10, null), "100%_W", false, CancellationToken.None).Bounded()).Items.Select(s => s.Id).ShouldBe([sessions[1].Id]);
        (await Repository.ListSessionsAsync(project, new PageRequest(10, null), "%", false, CancellationToken.None).Bounded()).Items.Select(s => s.Id).ShouldBe([sessions[1].Id]);
        (await Repository.ListSessionsAsync(project, new PageRequest(10, null), "session 4", true, CancellationToken.None).Bounded()).Items.Select(s => s.Id).ShouldBe([sessions[4].Id]);
    }

    [StorageFact]
    public async Task DeleteProject_DeletesItsSessionsMessagesAndRequests()
    {
        var session = await NewSessionAsync();
        var user = NewMessage(session, null, MessageRole.User, "q", MessageStatus.Complete);
        await Repository.InsertTurnAsync(session, [user], NewRequest(session, user.Id), CancellationToken.None).Bounded();

        (await new ProjectRepository(Database).DeleteAsync(session.ProjectId, CancellationToken.None).Bounded()).ShouldBeTrue();

        (await Repository.GetSessionAsync(session.Id, CancellationToken.None).Bounded()).ShouldBeNull();
        (await Repository.GetMessageAsync(user.Id, CancellationToken.None).Bounded()).ShouldBeNull();
        (await Repository.ListRequestsAsync(session.Id, CancellationToken.None).Bounded()).ShouldBeEmpty();
    }

    [StorageFact]
    public async Task LlmSettings_UpsertListAndDelete_ProvidersAndModelOverrides()
    {
        await MigrateAsync();
        var settings = new LlmSettingsRepository(Database);
        var provider = new StoredProvider("ollama", ProviderKind.OpenAI, "http://127.0.0.1:11434/v1", "protected", "…ab", Start, Start);

        await settings.UpsertProviderAsync(provider, CancellationToken.None).Bounded();
        await settings.UpsertProviderAsync(provider with { BaseUrl = "http://127.0.0.1:1/v1", UpdatedAt = Start.AddMinutes(1), CreatedAt = Start.AddDays(1) }, CancellationToken.None).Bounded();
        await settings.UpsertModelOverrideAsync("ollama/llama3", new ModelOverride { ContextWindow = 8192, InputCostPerToken = 0.0000001234m }, CancellationToken.None).Bounded();

        (await settings.ListProvidersAsync(CancellationToken.None).Bounded()).ShouldBe([provider with { BaseUrl = "http://127.0.0.1:1/v1", UpdatedAt = Start.AddMinutes(1) }]);
        var model = (await settings.ListModelOverridesAsync(CancellationToken.None).Bounded())["ollama/llama3"];
        model.ContextWindow.ShouldBe(8192);
        model.InputCostPerToken.ShouldBe(0.0000001234m);
        model.OutputCostPerToken.ShouldBeNull();
        (await settings.DeleteProviderAsync("ollama", CancellationToken.None).Bounded()).ShouldBeTrue();
        (await settings.ListProvidersAsync(CancellationToken.None).Bounded()).ShouldBeEmpty();
    }

    private async Task<Guid> NewProjectAsync()
    {
        await MigrateAsync();
        var id = Guid.NewGuid();
        await new ProjectRepository(Database).InsertAsync(new Project(id, "p", $"/tmp/p-{id:N}", Start, Start, null), CancellationToken.None).Bounded();
        return id;
    }

    private async Task<Session> NewSessionAsync()
    {
        var session = NewSessionValue(await NewProjectAsync());
        await Repository.InsertSessionAsync(session, CancellationToken.None).Bounded();
        return session;
    }

    private static Session NewSessionValue(Guid project) => new(Guid.NewGuid(), project, "New session", TitleSources.None, null, Start, Start, null);

    private static Message NewMessage(Session session, Guid? parent, MessageRole role, string content, MessageStatus status) =>
        new(Guid.NewGuid(), session.Id, parent, 0, role, content, status, role == MessageRole.Assistant ? "anthropic/claude" : null, [], null, null, Start, Start);

    private static AiRequest NewRequest(Session session, Guid? message) =>
        new(Guid.NewGuid(), session.Id, message, 1, "anthropic", "claude", "{}", AiRequestStatuses.Streaming, Start, null, null, 0, 0, 0, 0, 0m, "USD", null, null);
}
