using Wright.Core.Answers;
using Wright.Core.Actions;
using Wright.Core.Context;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Projects;
using Wright.Storage.Database;
using Dapper;
using Wright.Storage.Conversations;
using Wright.Storage.Engine;
using Wright.Storage.Projects;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Engine;

public sealed class SqliteEngineRepositoryTests : EngineRepositoryTests<SqliteProvider>;

public sealed class PostgresEngineRepositoryTests : EngineRepositoryTests<PostgresProvider>;

/// <summary>The engine repository's contract (contexts, answers, prompt versions), the same on every engine.</summary>
public abstract class EngineRepositoryTests<TProvider> : StorageTestBase<TProvider>
    where TProvider : IStorageProvider
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);

    private EngineRepository Repository => new(Database);

    [StorageFact]
    public async Task SaveContext_ThenGet_ReturnsTheWholeRecord_AndSavingAgainReplacesIt()
    {
        var session = await NewSessionAsync();
        var message = Guid.NewGuid();
        var record = new ContextRecord(
            Guid.NewGuid(), Start, 1, "abc123", 4000, 1234,
            [new ContextSourceRecord(ContextSourceKind.ProjectOverview, "Project overview", 100, [], false), new ContextSourceRecord(ContextSourceKind.MentionedFile, "File: a.cs", 1134, ["a.cs"], true)],
            [new ContextFileRecord("a.cs", "hash-a", false)],
            new Dictionary<string, string> { ["a.cs"] = "hash-a", ["b.cs"] = "hash-b" },
            [new ContextExcludedFile(".env", ContextExclusion.SecretName)]);

        await Repository.SaveContextAsync(new StoredContext(session.Id, message, record), CancellationToken.None).Bounded();
        var stored = await Repository.GetContextAsync(message, CancellationToken.None).Bounded();

        stored.ShouldNotBeNull();
        stored.SessionId.ShouldBe(session.Id);
        stored.Record.Sources.Select(Flat).ShouldBe(record.Sources.Select(Flat));
        stored.Record.FilesSent.ShouldBe(record.FilesSent);
        stored.Record.Workspace.OrderBy(kv => kv.Key).ShouldBe(record.Workspace.OrderBy(kv => kv.Key));
        stored.Record.Excluded.ShouldBe(record.Excluded);
        (stored.Record with { Sources = record.Sources, FilesSent = record.FilesSent, Workspace = record.Workspace, Excluded = record.Excluded }).ShouldBe(record);

        await Repository.SaveContextAsync(new StoredContext(session.Id, message, record with { Turn = 2, TokenCount = 99 }), CancellationToken.None).Bounded();
        (await Repository.GetContextAsync(message, CancellationToken.None).Bounded())!.Record.TokenCount.ShouldBe(99);
        (await Repository.GetContextAsync(Guid.NewGuid(), CancellationToken.None).Bounded()).ShouldBeNull();
    }

    [StorageFact]
    public async Task SaveRun_UpsertsAndLists_WithFailureCommitsAndExactCost()
    {
        var session = await NewSessionAsync();
        var first = new AnswerRecord(Guid.NewGuid(), session.Id, "base1", "c2", ["c1", "c2"], "main", StopReasons.Completed, null, 3, 0.000123456789m, null, Start, Start);
        var second = new AnswerRecord(Guid.NewGuid(), session.Id, "c2", null, [], "wright/abcd1234/1", StopReasons.ActionFailed, "bad edit", 1, 0m, new ActionFailure(1, ActionTypes.FileChange, "edit_no_match", "Action 2 failed"), Start.AddSeconds(1), Start.AddSeconds(1));

        await Repository.SaveAnswerAsync(first with { StopReason = null, Commits = [] }, CancellationToken.None).Bounded();
        await Repository.SaveAnswerAsync(first, CancellationToken.None).Bounded();
        await Repository.SaveAnswerAsync(second, CancellationToken.None).Bounded();

        var stored = await Repository.GetAnswerAsync(first.MessageId, CancellationToken.None).Bounded();
        (stored! with { Commits = first.Commits }).ShouldBe(first);
        stored.Commits.ShouldBe(["c1", "c2"]);
        stored.HeadAfter.ShouldBe("c2");
        var runs = await Repository.ListAnswersAsync(session.Id, CancellationToken.None).Bounded();
        runs.Select(r => r.MessageId).ShouldBe([first.MessageId, second.MessageId]);
        runs[1].Failure.ShouldBe(second.Failure);
        runs[1].HeadAfter.ShouldBe("c2");
    }

    [StorageFact]
    public async Task AddPromptVersion_NumbersEachScopeSeparately_AndListsOldestFirst()
    {
        await MigrateAsync();
        var author = Guid.NewGuid();

        var v1 = await Repository.AddPromptVersionAsync(PromptScopes.Session, "s1", "one", author, Start, CancellationToken.None).Bounded();
        var v2 = await Repository.AddPromptVersionAsync(PromptScopes.Session, "s1", "two", null, Start.AddSeconds(1), CancellationToken.None).Bounded();
        var other = await Repository.AddPromptVersionAsync(PromptScopes.Project, "s1", "project", author, Start, CancellationToken.None).Bounded();

        (v1.Version, v2.Version, other.Version).ShouldBe((1, 2, 1));
        var versions = await Repository.ListPromptVersionsAsync(PromptScopes.Session, "s1", CancellationToken.None).Bounded();
        versions.ShouldBe([v1, v2]);
        (await Repository.ListPromptVersionsAsync(PromptScopes.User, "s1", CancellationToken.None).Bounded()).ShouldBeEmpty();
    }

    [StorageFact]
    public async Task LatestPromptVersions_ReadsTheNewestOfEachAskedPrompt_InOneQuery()
    {
        await MigrateAsync();
        await Repository.AddPromptVersionAsync(PromptScopes.Session, "s1", "one", null, Start, CancellationToken.None).Bounded();
        var two = await Repository.AddPromptVersionAsync(PromptScopes.Session, "s1", "two", null, Start.AddSeconds(1), CancellationToken.None).Bounded();
        var project = await Repository.AddPromptVersionAsync(PromptScopes.Project, "p1", "project", null, Start, CancellationToken.None).Bounded();
        await Repository.AddPromptVersionAsync(PromptScopes.User, "u-other", "not asked", null, Start, CancellationToken.None).Bounded();

        var latest = await Repository.LatestPromptVersionsAsync([(PromptScopes.Session, "s1"), (PromptScopes.Project, "p1"), (PromptScopes.User, "u1")], CancellationToken.None).Bounded();

        latest.Count.ShouldBe(2);
        latest[(PromptScopes.Session, "s1")].ShouldBe(two);
        latest[(PromptScopes.Project, "p1")].ShouldBe(project);
        (await Repository.LatestPromptVersionsAsync([], CancellationToken.None).Bounded()).ShouldBeEmpty();
    }

    [StorageFact]
    public async Task DeletingTheSession_DeletesItsContextsAndRuns()
    {
        var session = await NewSessionAsync();
        var message = Guid.NewGuid();
        await Repository.SaveContextAsync(new StoredContext(session.Id, message, new ContextRecord(Guid.NewGuid(), Start, 1, null, 10, 5, [], [], new Dictionary<string, string>(), [])), CancellationToken.None).Bounded();
        await Repository.SaveAnswerAsync(new AnswerRecord(message, session.Id, null, null, [], null, StopReasons.Completed, null, 1, 0m, null, Start, Start), CancellationToken.None).Bounded();

        (await new ConversationRepository(Database).DeleteSessionAsync(session.Id, CancellationToken.None).Bounded()).ShouldBeTrue();

        (await Repository.GetContextAsync(message, CancellationToken.None).Bounded()).ShouldBeNull();
        (await Repository.GetAnswerAsync(message, CancellationToken.None).Bounded()).ShouldBeNull();
    }

    [StorageFact]
    public async Task Migration0005_RenamesAgentRunsToAnswers_KeepingEveryRow()
    {
        var all = Migrator.Load(Dialect);
        var upTo4 = all.Where(m => m.Version <= 4).ToList();
        await CreateMigrator(Database, upTo4).MigrateAsync(CancellationToken.None).Bounded();
        var project = Guid.NewGuid();
        await new ProjectRepository(Database).InsertAsync(new Project(project, "p", $"/tmp/p-{project:N}", Start, Start, null), CancellationToken.None).Bounded();
        var session = new Session(Guid.NewGuid(), project, "New session", TitleSources.None, null, Start, Start, null);
        await new ConversationRepository(Database).InsertSessionAsync(session, CancellationToken.None).Bounded();
        var message = Guid.NewGuid();
        await using (var connection = await Database.OpenAsync(CancellationToken.None).Bounded())
        {
            await connection.ExecuteAsync(
                "INSERT INTO agent_runs (message_id, session_id, base_commit, commit_sha, commits, git_branch, stop_reason, stop_detail, steps, cost_picos, failure, created_at_ms, updated_at_ms) VALUES (@M, @S, 'base', 'c1', '[\"c1\"]', 'main', 'completed', NULL, 2, 1000000000, NULL, 1, 2)",
                new { M = message.ToString(), S = session.Id.ToString() }).Bounded();
        }

        await MigrateAsync();

        var answer = await Repository.GetAnswerAsync(message, CancellationToken.None).Bounded();
        answer.ShouldNotBeNull();
        (answer.BaseCommit, answer.CommitSha, answer.Steps, answer.Cost, answer.Unpriced, answer.State).ShouldBe(("base", "c1", 2, 0.001m, false, (AnswerState?)null));
        answer.Commits.ShouldBe(["c1"]);
    }

    [StorageFact]
    public async Task SaveAnswer_WithItsStateBetweenSteps_RoundTrips()
    {
        var session = await NewSessionAsync();
        var state = new AnswerState(2, [TurnMessage.User("<context>x</context>\n\nHi"), TurnMessage.Assistant("", [new TurnToolCall("c1", "read_file", "{\"path\":\"a\"}")]), TurnMessage.Results([new TurnToolResult("c1", "Error (not_found): no", true)])], [new StagedChangeRecord("WriteFile", "a.txt")], null, ["c9"])
        {
            WorkspaceAfter = new Dictionary<string, string> { ["a.txt"] = "h1" },
        };
        var answer = new AnswerRecord(Guid.NewGuid(), session.Id, "b", null, [], null, null, null, 2, 0m, null, Start, Start, state, Unpriced: true);

        await Repository.SaveAnswerAsync(answer, CancellationToken.None).Bounded();
        var stored = (await Repository.GetAnswerAsync(answer.MessageId, CancellationToken.None).Bounded())!;

        stored.Unpriced.ShouldBeTrue();
        stored.State!.Step.ShouldBe(2);
        stored.State.Messages[1].ToolCalls.Single().Arguments.ShouldBe("{\"path\":\"a\"}");
        stored.State.Messages[2].ToolResults.Single().IsError.ShouldBeTrue();
        stored.State.Staged.Single().Path.ShouldBe("a.txt");
        stored.State.WorkspaceAfter!["a.txt"].ShouldBe("h1");
    }

    private static string Flat(ContextSourceRecord source) => $"{source.Kind}|{source.Title}|{source.Tokens}|{string.Join(",", source.Files)}|{source.Truncated}";

    private async Task<Session> NewSessionAsync()
    {
        await MigrateAsync();
        var project = Guid.NewGuid();
        await new ProjectRepository(Database).InsertAsync(new Project(project, "p", $"/tmp/p-{project:N}", Start, Start, null), CancellationToken.None).Bounded();
        var session = new Session(Guid.NewGuid(), project, "New session", TitleSources.None, null, Start, Start, null);
        await new ConversationRepository(Database).InsertSessionAsync(session, CancellationToken.None).Bounded();
        return session;
    }
}
