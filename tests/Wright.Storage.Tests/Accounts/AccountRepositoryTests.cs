using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Paging;
using Wright.Core.Projects;
using Wright.Storage.Accounts;
using Wright.Storage.Projects;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Accounts;

public sealed class SqliteAccountRepositoryTests : AccountRepositoryTests<SqliteProvider>;

public sealed class PostgresAccountRepositoryTests : AccountRepositoryTests<PostgresProvider>;

/// <summary>The account repositories' contract, the same on every engine.</summary>
public abstract class AccountRepositoryTests<TProvider> : StorageTestBase<TProvider>
    where TProvider : IStorageProvider
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);

    [StorageFact]
    public async Task Users_InsertFindByNameAnyCaseAndUpdate_RoundTrip()
    {
        await MigrateAsync();
        var users = new UserRepository(Database);
        var alice = NewUser("Alice", Start);

        await users.InsertAsync(alice, CancellationToken.None).Bounded();

        (await users.GetAsync(alice.Id, CancellationToken.None).Bounded()).ShouldBe(alice);
        (await users.FindByNameAsync("aLiCe", CancellationToken.None).Bounded()).ShouldBe(alice);
        var changed = alice with { Role = UserRole.Admin, PasswordHash = "other", DisabledAt = Start.AddMinutes(1), UpdatedAt = Start.AddMinutes(1) };
        (await users.UpdateAsync(changed, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await users.GetAsync(alice.Id, CancellationToken.None).Bounded()).ShouldBe(changed);
        (await users.CountAsync(CancellationToken.None).Bounded()).ShouldBe(1);
    }

    [StorageFact]
    public async Task Users_SameNameInAnotherCase_IsTaken()
    {
        await MigrateAsync();
        var users = new UserRepository(Database);
        await users.InsertAsync(NewUser("alice", Start), CancellationToken.None).Bounded();

        var ex = await Should.ThrowAsync<WrightException>(() => users.InsertAsync(NewUser("ALICE", Start), CancellationToken.None).Bounded());

        ex.Code.ShouldBe(ErrorCodes.UserNameTaken);
    }

    [StorageFact]
    public async Task Users_List_PagesInCreationOrder()
    {
        await MigrateAsync();
        var users = new UserRepository(Database);
        for (var i = 0; i < 5; i++)
        {
            await users.InsertAsync(NewUser($"user{i}", Start.AddSeconds(i)), CancellationToken.None).Bounded();
        }

        var first = await users.ListAsync(new PageRequest(3, null), CancellationToken.None).Bounded();
        var second = await users.ListAsync(new PageRequest(3, first.NextCursor), CancellationToken.None).Bounded();

        first.Items.Select(u => u.UserName).ShouldBe(["user0", "user1", "user2"]);
        second.Items.Select(u => u.UserName).ShouldBe(["user3", "user4"]);
        second.NextCursor.ShouldBeNull();
    }

    [StorageFact]
    public async Task RefreshTokens_TryUse_SucceedsOnceAndFamilyRevocationStopsTheRest()
    {
        await MigrateAsync();
        var user = NewUser("alice", Start);
        await new UserRepository(Database).InsertAsync(user, CancellationToken.None).Bounded();
        var tokens = new RefreshTokenRepository(Database);
        var family = Guid.NewGuid();
        var first = new RefreshToken(Guid.NewGuid(), family, user.Id, "hash-1", Start, Start.AddDays(14), null, null);
        var second = first with { Id = Guid.NewGuid(), TokenHash = "hash-2" };
        var otherFamily = first with { Id = Guid.NewGuid(), FamilyId = Guid.NewGuid(), TokenHash = "hash-3" };
        foreach (var token in new[] { first, second, otherFamily })
        {
            await tokens.InsertAsync(token, CancellationToken.None).Bounded();
        }

        (await tokens.TryUseAsync(first.Id, Start.AddMinutes(1), CancellationToken.None).Bounded()).ShouldBeTrue();
        (await tokens.TryUseAsync(first.Id, Start.AddMinutes(2), CancellationToken.None).Bounded()).ShouldBeFalse();
        (await tokens.FindByHashAsync("hash-1", CancellationToken.None).Bounded())!.UsedAt.ShouldBe(Start.AddMinutes(1));
        (await tokens.RevokeFamilyAsync(family, Start.AddMinutes(3), CancellationToken.None).Bounded()).ShouldBe(2);
        (await tokens.TryUseAsync(second.Id, Start.AddMinutes(4), CancellationToken.None).Bounded()).ShouldBeFalse();
        (await tokens.FindByHashAsync("hash-3", CancellationToken.None).Bounded())!.RevokedAt.ShouldBeNull();
        (await tokens.RevokeUserAsync(user.Id, Start.AddMinutes(5), CancellationToken.None).Bounded()).ShouldBe(1);
        (await tokens.FindByHashAsync("unknown", CancellationToken.None).Bounded()).ShouldBeNull();
    }

    [StorageFact]
    public async Task RefreshTokens_SpentWithASuccessor_RememberItUntilPurged()
    {
        await MigrateAsync();
        var user = NewUser("alice", Start);
        await new UserRepository(Database).InsertAsync(user, CancellationToken.None).Bounded();
        var tokens = new RefreshTokenRepository(Database);
        var spent = new RefreshToken(Guid.NewGuid(), Guid.NewGuid(), user.Id, "hash-spent", Start, Start.AddDays(14), null, null);
        var expired = spent with { Id = Guid.NewGuid(), FamilyId = Guid.NewGuid(), TokenHash = "hash-expired", ExpiresAt = Start.AddDays(1) };
        var revoked = spent with { Id = Guid.NewGuid(), FamilyId = Guid.NewGuid(), TokenHash = "hash-revoked" };
        var live = spent with { Id = Guid.NewGuid(), FamilyId = Guid.NewGuid(), TokenHash = "hash-live" };
        foreach (var token in new[] { spent, expired, revoked, live })
        {
            await tokens.InsertAsync(token, CancellationToken.None).Bounded();
        }

        (await tokens.TryUseAsync(spent.Id, Start.AddMinutes(1), "protected-successor", CancellationToken.None).Bounded()).ShouldBeTrue();
        (await tokens.TryUseAsync(spent.Id, Start.AddMinutes(1), "another", CancellationToken.None).Bounded()).ShouldBeFalse();
        await tokens.RevokeFamilyAsync(revoked.FamilyId, Start.AddHours(1), CancellationToken.None).Bounded();
        (await tokens.GetSuccessorAsync(spent.Id, CancellationToken.None).Bounded()).ShouldBe("protected-successor");

        (await tokens.PurgeAsync(Start.AddHours(1), Start, CancellationToken.None).Bounded()).ShouldBe(0);
        (await tokens.GetSuccessorAsync(spent.Id, CancellationToken.None).Bounded()).ShouldBe("protected-successor", "spent after the successor cut-off");
        (await tokens.PurgeAsync(Start.AddDays(2), Start.AddMinutes(2), CancellationToken.None).Bounded()).ShouldBe(2);

        (await tokens.GetSuccessorAsync(spent.Id, CancellationToken.None).Bounded()).ShouldBeNull();
        (await tokens.FindByHashAsync("hash-expired", CancellationToken.None).Bounded()).ShouldBeNull();
        (await tokens.FindByHashAsync("hash-revoked", CancellationToken.None).Bounded()).ShouldBeNull();
        (await tokens.FindByHashAsync("hash-spent", CancellationToken.None).Bounded())!.UsedAt.ShouldBe(Start.AddMinutes(1));
        (await tokens.FindByHashAsync("hash-live", CancellationToken.None).Bounded()).ShouldNotBeNull();
    }

    [StorageFact]
    public async Task PersonalAccessTokens_InsertFindListRevokeOnlyByOwner()
    {
        await MigrateAsync();
        var alice = NewUser("alice", Start);
        var bob = NewUser("bob", Start);
        var users = new UserRepository(Database);
        await users.InsertAsync(alice, CancellationToken.None).Bounded();
        await users.InsertAsync(bob, CancellationToken.None).Bounded();
        var tokens = new PersonalAccessTokenRepository(Database);
        var token = new PersonalAccessToken(Guid.NewGuid(), alice.Id, "ci", "pat-hash", "wright_pat_AbCd…", ["api", "hooks"], Start, Start.AddDays(30), null, null);
        await tokens.InsertAsync(token, CancellationToken.None).Bounded();

        var found = (await tokens.FindByHashAsync("pat-hash", CancellationToken.None).Bounded())!;
        found.Scopes.ShouldBe(["api", "hooks"]);
        (found with { Scopes = token.Scopes }).ShouldBe(token);
        await tokens.TouchAsync(token.Id, Start.AddMinutes(1), CancellationToken.None).Bounded();
        (await tokens.ListAsync(alice.Id, new PageRequest(10, null), CancellationToken.None).Bounded()).Items.Single().LastUsedAt.ShouldBe(Start.AddMinutes(1));
        (await tokens.ListAsync(bob.Id, new PageRequest(10, null), CancellationToken.None).Bounded()).Items.ShouldBeEmpty();
        (await tokens.RevokeAsync(bob.Id, token.Id, Start, CancellationToken.None).Bounded()).ShouldBeFalse();
        (await tokens.RevokeAsync(alice.Id, token.Id, Start, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await tokens.RevokeAsync(alice.Id, token.Id, Start, CancellationToken.None).Bounded()).ShouldBeFalse();
    }

    [StorageFact]
    public async Task Audit_List_IsNewestFirstAndPages()
    {
        await MigrateAsync();
        var audit = new AuditRepository(Database);
        for (var i = 0; i < 5; i++)
        {
            await audit.AppendAsync(new AuditEntry(Guid.NewGuid(), Start.AddSeconds(i), $"action.{i}", null, null, null, "127.0.0.1", null), CancellationToken.None).Bounded();
        }

        var first = await audit.ListAsync(new PageRequest(2, null), CancellationToken.None).Bounded();
        var rest = await audit.ListAsync(new PageRequest(10, first.NextCursor), CancellationToken.None).Bounded();

        first.Items.Select(e => e.Action).ShouldBe(["action.4", "action.3"]);
        rest.Items.Select(e => e.Action).ShouldBe(["action.2", "action.1", "action.0"]);
        rest.Items[0].Address.ShouldBe("127.0.0.1");
    }

    [StorageFact]
    public async Task Projects_VisibleToOwnerAndMembersOnly()
    {
        await MigrateAsync();
        var users = new UserRepository(Database);
        var alice = NewUser("alice", Start);
        var bob = NewUser("bob", Start);
        await users.InsertAsync(alice, CancellationToken.None).Bounded();
        await users.InsertAsync(bob, CancellationToken.None).Bounded();
        var projects = new ProjectRepository(Database);
        var project = new Project(Guid.NewGuid(), "p", "/tmp/p-" + Guid.NewGuid(), Start, Start, null, alice.Id);
        var ownerless = new Project(Guid.NewGuid(), "old", "/tmp/old-" + Guid.NewGuid(), Start.AddSeconds(1), Start.AddSeconds(1), null);
        await projects.InsertAsync(project, CancellationToken.None).Bounded();
        await projects.InsertAsync(ownerless, CancellationToken.None).Bounded();

        (await projects.GetForUserAsync(project.Id, alice.Id, CancellationToken.None).Bounded()).ShouldBe(project);
        (await projects.GetForUserAsync(project.Id, bob.Id, CancellationToken.None).Bounded()).ShouldBeNull();
        (await projects.ListAsync(new PageRequest(10, null), false, bob.Id, CancellationToken.None).Bounded()).Items.ShouldBeEmpty();
        (await projects.AddMemberAsync(project.Id, bob.Id, Start, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await projects.AddMemberAsync(project.Id, bob.Id, Start, CancellationToken.None).Bounded()).ShouldBeFalse();
        (await projects.GetForUserAsync(project.Id, bob.Id, CancellationToken.None).Bounded()).ShouldBe(project);
        (await projects.ListMembersAsync(project.Id, CancellationToken.None).Bounded()).Single().UserName.ShouldBe("bob");
        (await projects.ListAsync(new PageRequest(10, null), false, null, CancellationToken.None).Bounded()).Items.Count.ShouldBe(2);
        (await projects.AssignOwnerlessAsync(bob.Id, CancellationToken.None).Bounded()).ShouldBe(1);
        (await projects.ListAsync(new PageRequest(10, null), false, bob.Id, CancellationToken.None).Bounded()).Items.Count.ShouldBe(2);
        (await projects.RemoveMemberAsync(project.Id, bob.Id, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await projects.GetForUserAsync(project.Id, bob.Id, CancellationToken.None).Bounded()).ShouldBeNull();
    }

    [StorageFact]
    public async Task DataProtectionKeys_StoreTwiceUnderOneName_KeepsTheFirst()
    {
        await MigrateAsync();
        var store = new DataProtectionKeyStore(Database);

        await store.StoreAsync("key-1", "<key id=\"1\" />", Start, CancellationToken.None).Bounded();
        await store.StoreAsync("key-1", "<key id=\"other\" />", Start, CancellationToken.None).Bounded();
        await store.StoreAsync("key-2", "<key id=\"2\" />", Start.AddSeconds(1), CancellationToken.None).Bounded();

        (await store.ReadAllAsync(CancellationToken.None).Bounded()).ShouldBe(["<key id=\"1\" />", "<key id=\"2\" />"]);
    }

    private static User NewUser(string name, DateTimeOffset at) => new(Guid.NewGuid(), name, UserRole.Member, "AQAAAAIAAYagAAAAE-fake-hash", at, at, null);
}
