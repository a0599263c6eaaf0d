using Wright.Core.Answers;
using Wright.Core.Conversations;
using Wright.Core.Merges;
using Wright.Core.Projects;
using Wright.Storage.Conversations;
using Wright.Storage.Engine;
using Wright.Storage.Projects;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Engine;

public sealed class SqliteHistoryRepositoryTests : HistoryRepositoryTests<SqliteProvider>;

public sealed class PostgresHistoryRepositoryTests : HistoryRepositoryTests<PostgresProvider>;

/// <summary>History summaries, token calibration and merge links, the same on every engine.</summary>
public abstract class HistoryRepositoryTests<TProvider> : StorageTestBase<TProvider>
    where TProvider : IStorageProvider
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);

    private HistoryRepository Repository => new(Database);

    [StorageFact]
    public async Task SaveSummary_ThroughTheSameMessageTwice_KeepsTheFirst_AndListsOldestFirst()
    {
        var session = await NewSessionAsync();
        var through = Guid.NewGuid();
        var first = new HistorySummary(Guid.NewGuid(), session.Id, through, 3, "first summary", "openai/gpt-4o-mini", 12, Start);

        var saved = await Repository.SaveSummaryAsync(first, CancellationToken.None).Bounded();
        var raced = await Repository.SaveSummaryAsync(first with { Id = Guid.NewGuid(), Text = "second", CreatedAt = Start.AddSeconds(1) }, CancellationToken.None).Bounded();
        var later = await Repository.SaveSummaryAsync(first with { Id = Guid.NewGuid(), ThroughMessageId = Guid.NewGuid(), Turns = 5, CreatedAt = Start.AddSeconds(2) }, CancellationToken.None).Bounded();

        saved.ShouldBe(first);
        raced.ShouldBe(first);
        (await Repository.ListSummariesAsync(session.Id, CancellationToken.None).Bounded()).ShouldBe([first, later]);
        (await Repository.ListSummariesAsync(Guid.NewGuid(), CancellationToken.None).Bounded()).ShouldBeEmpty();
    }

    [StorageFact]
    public async Task SaveCalibration_Upserts_AndLoadsEveryModel()
    {
        await MigrateAsync();
        await Repository.SaveCalibrationAsync("anthropic/claude-haiku-4-5", 1.25, Start, CancellationToken.None).Bounded();
        await Repository.SaveCalibrationAsync("anthropic/claude-haiku-4-5", 1.5, Start.AddSeconds(1), CancellationToken.None).Bounded();
        await Repository.SaveCalibrationAsync("local/llama", 0.75, Start, CancellationToken.None).Bounded();

        var loaded = await Repository.LoadCalibrationAsync(CancellationToken.None).Bounded();

        loaded.Count.ShouldBe(2);
        loaded["anthropic/claude-haiku-4-5"].ShouldBe(1.5);
        loaded["local/llama"].ShouldBe(0.75);
    }

    [StorageFact]
    public async Task SaveMerge_ThenList_ReturnsTheLinks_OfThatSessionOnly()
    {
        var session = await NewSessionAsync();
        var other = await NewSessionAsync();
        var link = new MergeLink(Guid.NewGuid(), session.Id, other.Id, Guid.NewGuid(), "abc", "def", "theirs", Start);

        await Repository.SaveMergeAsync(link, CancellationToken.None).Bounded();
        await Repository.SaveMergeAsync(link with { MessageId = Guid.NewGuid(), SessionId = other.Id, Strategy = null }, CancellationToken.None).Bounded();

        (await Repository.ListMergesAsync(session.Id, CancellationToken.None).Bounded()).ShouldBe([link]);
    }

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
