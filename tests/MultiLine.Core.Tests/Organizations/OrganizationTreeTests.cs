using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Organizations;

/// <summary>Create, rename and delete on a real database: the scope, the delete guard, what goes with a deleted organization, the record.</summary>
public sealed class OrganizationTreeTests : IDisposable
{
    // Root → {Acme → Team, Other}, Vault. The scoped admin's scope is Acme's subtree.
    private readonly ImportWorld _world = new();
    private static readonly ActivityActor Jane = new(1, "Jane Admin", "203.0.113.7", ActivitySource.Portal);
    private CancellationToken Ct => TestContext.Current.CancellationToken;
    private OrganizationTree Tree => new(_world.Database.System, TimeProvider.System);
    private static readonly AdminScope Everything = new(1, null, Privileges.All);

    private async Task<OrganizationChange> AsAsync(AdminScope scope, Func<MultiLineDbContext, Task<OrganizationChange>> act)
    {
        await using var db = _world.Database.CreateDbContext();
        return await act(db.WithScope(scope));
    }

    private async Task<List<ActivityEntry>> EntriesAsync()
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.ActivityEntries.Where(e => e.TargetKind == ActivityTargetKind.Organization).ToListAsync(Ct);
    }

    private async Task<bool> ExistsAsync(int id)
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.Organizations.AnyAsync(o => o.Id == id, Ct);
    }

    [Fact]
    public async Task ASubOrganizationGetsItsPathAndItsParentsSettingsAndOneRecord()
    {
        var result = await AsAsync(_world.AcmeAdmin, db => Tree.CreateAsync(db, _world.Team.Id, " Team West ", Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.Done, result.Status);
        await using var db = _world.Database.CreateDbContext();
        var created = await db.Organizations.SingleAsync(o => o.Id == result.OrganizationId, Ct);
        Assert.Equal(("Team West", $"{_world.Team.Path}{created.Id}/", _world.Team.Id), (created.Name, created.Path, created.ParentId));
        Assert.True(created.InheritsSocialMessaging && created.InheritsSmtpDataOffload && created.InheritsAllowedEmailDomains);
        Assert.Equal(_world.Team.SocialMessagingEnabled, created.SocialMessagingEnabled);
        var entry = Assert.Single(await EntriesAsync());
        Assert.Equal((ActivityActions.OrganizationCreate, created.Id, "Team West", "Under Team"), (entry.Action, entry.OrganizationId, entry.TargetName, entry.Details));
    }

    [Fact]
    public async Task AScopedAdminCannotCreateOutsideItsScopeNorAtTheTop()
    {
        var outside = await AsAsync(_world.AcmeAdmin, db => Tree.CreateAsync(db, _world.Other.Id, "Sneaky", Jane, Ct));
        var top = await AsAsync(_world.AcmeAdmin, db => Tree.CreateAsync(db, null, "Sneaky", Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.NotFound, outside.Status);
        Assert.Equal(OrganizationChangeStatus.Refused, top.Status);
        Assert.Empty(await EntriesAsync());
    }

    [Fact]
    public async Task AScopedAdminCannotRenameOrDeleteTheTopOfItsScopeNorAnythingOutsideIt()
    {
        var renameRoot = await AsAsync(_world.AcmeAdmin, db => Tree.RenameAsync(db, _world.Acme.Id, "Acme 2", Jane, Ct));
        var deleteRoot = await AsAsync(_world.AcmeAdmin, db => Tree.DeleteAsync(db, _world.Acme.Id, Jane, Ct));
        var renameOutside = await AsAsync(_world.AcmeAdmin, db => Tree.RenameAsync(db, _world.Other.Id, "Mine", Jane, Ct));
        var deleteOutside = await AsAsync(_world.AcmeAdmin, db => Tree.DeleteAsync(db, _world.Vault.Id, Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.Refused, renameRoot.Status);
        Assert.Contains("top of your scope", renameRoot.Message);
        Assert.Equal(OrganizationChangeStatus.Refused, deleteRoot.Status);
        Assert.Equal((OrganizationChangeStatus.NotFound, OrganizationChangeStatus.NotFound), (renameOutside.Status, deleteOutside.Status));
        Assert.True(await ExistsAsync(_world.Vault.Id));
        Assert.Empty(await EntriesAsync());
    }

    [Fact]
    public async Task WithoutTheProfilePrivilegeNothingChanges()
    {
        var noProfile = new AdminScope(1, null, Privileges.All & ~Privileges.Profile);

        var result = await AsAsync(noProfile, db => Tree.CreateAsync(db, _world.Acme.Id, "New", Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.NotAllowed, result.Status);
    }

    [Fact]
    public async Task ARenameToASiblingsNameIsRefusedInWordsWhateverTheCase()
    {
        var result = await AsAsync(Everything, db => Tree.RenameAsync(db, _world.Other.Id, "ACME", Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.Refused, result.Status);
        Assert.Equal("Root already has a sub-organization named \"ACME\". Choose another name.", result.Message);
        Assert.Empty(await EntriesAsync());
    }

    [Fact]
    public async Task ARenameSavesTheNameAndRecordsBeforeAndAfter()
    {
        var result = await AsAsync(_world.AcmeAdmin, db => Tree.RenameAsync(db, _world.Team.Id, "Team East", Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.Done, result.Status);
        var entry = Assert.Single(await EntriesAsync());
        Assert.Equal((ActivityActions.OrganizationRename, "Name: Team → Team East"), (entry.Action, entry.Details));
    }

    public enum Leftover { Account, Number, Admin }

    [Theory]
    [InlineData(Leftover.Account, "Holds 1 account (in Acme and its sub-organizations)")]
    [InlineData(Leftover.Number, "Holds 1 number (in Acme and its sub-organizations)")]
    [InlineData(Leftover.Admin, "Holds 1 administrator (in Acme and its sub-organizations)")]
    public async Task DeleteIsRefusedWhileAGrandchildHoldsAnything(Leftover leftover, string expected)
    {
        var grandchild = _world.AddOrganization("Team Leaf", _world.Team);
        switch (leftover)
        {
            case Leftover.Account: _world.AddAccount(grandchild, "leaf@acme.example"); break;
            case Leftover.Number: _world.AddNumber(grandchild, "+14155550100"); break;
            case Leftover.Admin: AddAdmin(grandchild); break;
        }

        var result = await AsAsync(Everything, db => Tree.DeleteAsync(db, _world.Acme.Id, Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.Refused, result.Status);
        Assert.StartsWith(expected, result.Message);
        Assert.True(await ExistsAsync(grandchild.Id));
        Assert.Empty(await EntriesAsync());
        // The page shows the same reason on the disabled button.
        await using var db = _world.Database.CreateDbContext();
        var node = (await OrganizationTree.ListAsync(db, Ct)).Single(n => n.Id == _world.Acme.Id);
        Assert.StartsWith(expected, node.DeleteRefusal);
    }

    [Fact]
    public void TheRefusalNamesEveryKindLeft()
    {
        Assert.Equal("Holds 12 accounts, 1 administrator and 40 numbers (in Acme West and its sub-organizations). Move or remove them first.",
            OrganizationTree.DeleteRefusal("Acme West", new OrganizationHoldings(12, 1, 40)));
    }

    [Fact]
    public async Task DeleteIsRefusedWhileABatchOfTheSubtreeRuns()
    {
        await using (var db = _world.Database.CreateDbContext())
        {
            db.Set<BatchOperation>().Add(new BatchOperation { AdminName = "Jane", OrganizationId = _world.Team.Id, State = BatchState.Running, Kind = BatchKind.Import });
            await db.SaveChangesAsync(Ct);
        }

        var result = await AsAsync(_world.AcmeAdmin, db => Tree.DeleteAsync(db, _world.Team.Id, Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.Refused, result.Status);
        Assert.Contains("still running", result.Message);
    }

    [Fact]
    public async Task DeletingAnEmptyOrganizationRemovesItsSubtreeAndWhatBelongsToItWithOneRecord()
    {
        var leaf = _world.AddOrganization("Team Leaf", _world.Team);
        var group = _world.AddGroup(leaf, "Leaf group", Features.Sms, isDefault: true);
        await using (var db = _world.Database.CreateDbContext())
        {
            db.Set<InvitationTemplate>().Add(new InvitationTemplate { OrganizationId = leaf.Id, Subject = "Hi", HtmlBody = "<p>Hi</p>", TextBody = "Hi" });
            db.Set<BatchOperation>().Add(new BatchOperation { AdminName = "Jane", OrganizationId = leaf.Id, State = BatchState.Completed, Kind = BatchKind.Import, PermissionGroupId = group.Id });
            await db.SaveChangesAsync(Ct);
        }

        var result = await AsAsync(_world.AcmeAdmin, db => Tree.DeleteAsync(db, _world.Team.Id, Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.Done, result.Status);
        Assert.False(await ExistsAsync(_world.Team.Id));
        Assert.False(await ExistsAsync(leaf.Id));
        await using var check = _world.Database.CreateDbContext();
        Assert.False(await check.PermissionGroups.AnyAsync(g => g.Id == group.Id, Ct));
        Assert.False(await check.Set<InvitationTemplate>().AnyAsync(t => t.OrganizationId == leaf.Id, Ct));
        Assert.False(await check.Set<BatchOperation>().AnyAsync(b => b.OrganizationId == leaf.Id, Ct));
        var entry = Assert.Single(await EntriesAsync());
        Assert.Equal((ActivityActions.OrganizationDelete, _world.Acme.Id, "Team", "Deleted with 1 sub-organization: Team Leaf"),
            (entry.Action, entry.OrganizationId, entry.TargetName, entry.Details));
    }

    [Fact]
    public async Task AnAccountAnImportAddsWhileTheDeleteChecksKeepsTheOrganization()
    {
        var leaf = _world.AddOrganization("Team Leaf", _world.Team);
        // An import group mid-way: it has locked the organization's capacity row and added an account, not yet committed.
        await using var importer = _world.Database.CreateDbContext();
        await using var transaction = await importer.Database.BeginTransactionAsync(Ct);
        await importer.LockCapacityAsync(leaf.Id, Ct);
        importer.Accounts.Add(new Core.Accounts.Account
        {
            Username = "late@acme.example", NormalizedUsername = "late@acme.example", OrganizationId = leaf.Id, PermissionGroupId = _world.Standard.Id,
            Status = Core.Accounts.AccountStatus.NotInvited, CreatedAtUtc = DateTime.UtcNow,
        });
        await importer.SaveChangesAsync(Ct);

        // Its own thread: SQLite's provider waits for the write lock synchronously.
        var delete = Task.Run(() => AsAsync(Everything, db => Tree.DeleteAsync(db, leaf.Id, Jane, Ct)), Ct);
        Assert.False(delete.IsCompleted);
        await transaction.CommitAsync(Ct);
        var result = await delete;

        Assert.Equal(OrganizationChangeStatus.Refused, result.Status);
        Assert.StartsWith("Holds 1 account (in Team Leaf)", result.Message);
        Assert.True(await ExistsAsync(leaf.Id));
    }

    private void AddAdmin(Organization scope)
    {
        using var db = _world.Database.CreateDbContext();
        var role = new Role { Name = $"Role {Guid.NewGuid():N}", Privileges = Privileges.All };
        db.Roles.Add(role);
        db.Admins.Add(new Admin { Email = "leaf@admins.example", NormalizedEmail = "LEAF@ADMINS.EXAMPLE", DisplayName = "Leaf Admin", Role = role, ScopeOrganizationId = scope.Id });
        db.SaveChanges();
    }

    public void Dispose() => _world.Dispose();
}
