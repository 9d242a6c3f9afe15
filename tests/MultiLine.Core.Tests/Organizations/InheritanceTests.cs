using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Core.Tests.Imports;
using static MultiLine.Core.Tests.Imports.CsvFiles;

namespace MultiLine.Core.Tests.Organizations;

/// <summary>Settings and permission groups that sub-organizations inherit: resolution, overrides, the default choice, and who edits what.</summary>
public sealed class InheritanceTests : IDisposable
{
    // Root → {Acme (social messaging) → Team, Other}, Vault. Standard is Root's default group; Messaging only is Acme's.
    private readonly ImportWorld _world = new();
    private static readonly ActivityActor Jane = new(1, "Jane Admin", "203.0.113.7", ActivitySource.Portal);
    private static readonly SettingsActor JaneSettings = new(1, "Jane Admin");
    private CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly AdminScope Everything = new(1, null, Privileges.All);
    private PermissionGroupCatalog Catalog => new(TimeProvider.System);

    private async Task<T> AsAsync<T>(AdminScope scope, Func<MultiLineDbContext, Task<T>> act)
    {
        await using var db = _world.Database.CreateDbContext();
        return await act(db.WithScope(scope));
    }

    private async Task<Organization> SubOrganizationAsync(Organization parent, string name)
    {
        var created = await AsAsync(Everything, db => new OrganizationTree(_world.Database.System, TimeProvider.System).CreateAsync(db, parent.Id, name, Jane, Ct));
        await using var db = _world.Database.CreateDbContext();
        return await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == created.OrganizationId, Ct);
    }

    private async Task<Organization> ReloadAsync(int id)
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == id, Ct);
    }

    private Task<SettingsChange> SaveAsync(Organization organization, bool social, bool offload, string[] domains, SettingsInheritance? inherits = null) =>
        AsAsync(Everything, db => OrganizationSettings.SaveAsync(db, organization.Id, new OrganizationSettingsForm(social, offload, domains, [], inherits), JaneSettings, DateTime.UtcNow, Ct));

    [Fact]
    public async Task AnAncestorsChangeReachesTheImportOfASubOrganizationThatInheritsIt()
    {
        var west = await SubOrganizationAsync(_world.Acme, "Acme West");
        var westLeaf = await SubOrganizationAsync(west, "West Leaf");

        Assert.True((await SaveAsync(_world.Acme, social: false, offload: true, ["acme.example"])).Succeeded);

        var leaf = await ReloadAsync(westLeaf.Id);
        Assert.Equal((false, true), (leaf.SocialMessagingEnabled, leaf.SmtpDataOffload));
        Assert.Equal(["acme.example"], leaf.AllowedEmailDomains);
        var result = await _world.ValidateAsync(Lines(Header, Row("+14155550123"), Row("a@acme.example", social: "Yes")),
            _world.Target(leaf, _world.Standard, Everything));
        var errors = result.RowProblems.Where(p => p.IsError).Select(p => p.Text).ToList();
        Assert.Contains(errors, e => e.Contains("uses SMTP data offload"));
        Assert.Contains(errors, e => e.Contains("does not have social messaging"));
    }

    [Fact]
    public async Task AnOverrideStopsTheAncestorsChangeAndResetFollowsItAgain()
    {
        var west = await SubOrganizationAsync(_world.Acme, "Acme West");
        Assert.True((await SaveAsync(west, social: false, offload: false, [], new SettingsInheritance(false, true, true))).Succeeded);

        await SaveAsync(_world.Acme, social: true, offload: true, []);
        Assert.Equal((false, true), ((await ReloadAsync(west.Id)).SocialMessagingEnabled, (await ReloadAsync(west.Id)).SmtpDataOffload));

        Assert.True((await SaveAsync(west, social: false, offload: false, [], new SettingsInheritance(true, true, true))).Succeeded);
        var reset = await ReloadAsync(west.Id);
        Assert.True(reset.SocialMessagingEnabled && reset.InheritsSocialMessaging);
    }

    [Fact]
    public async Task TheSettingsPageIsToldWhereEachValueComesFrom()
    {
        var west = await SubOrganizationAsync(_world.Acme, "Acme West");
        var leaf = await SubOrganizationAsync(west, "West Leaf");
        await SaveAsync(west, social: true, offload: false, [], new SettingsInheritance(false, true, true));

        var sources = await AsAsync(Everything, db => OrganizationSettings.SourcesAsync(db, leaf.Id, Ct));

        Assert.Equal(("Acme West", "Acme", "Acme"), (sources!.SocialMessagingFrom, sources.SmtpDataOffloadFrom, sources.AllowedEmailDomainsFrom));
        var own = await AsAsync(Everything, db => OrganizationSettings.SourcesAsync(db, west.Id, Ct));
        Assert.Null(own!.SocialMessagingFrom);
    }

    [Fact]
    public async Task TurningOffloadOnIsRefusedWhenAnInheritingSubOrganizationHasPhoneUsernames()
    {
        var west = await SubOrganizationAsync(_world.Acme, "Acme West");
        _world.AddAccount(west, "+14155550123");

        var result = await SaveAsync(_world.Acme, social: true, offload: true, []);

        Assert.False(result.Succeeded);
        Assert.Contains("use a phone number", Assert.Single(result.Problems).Replace("uses", "use"));
        Assert.False((await ReloadAsync(west.Id)).SmtpDataOffload);
    }

    [Fact]
    public async Task ATopLevelOrganizationHasNothingToInherit()
    {
        var result = await SaveAsync(_world.Root, false, false, [], new SettingsInheritance(true, false, false));

        Assert.Equal(["Root is a top-level organization; it has nothing to inherit from."], result.Problems);
    }

    [Fact]
    public async Task AnInheritedGroupIsEditedOnlyWhereItIsDefined()
    {
        var fromAcme = await AsAsync(Everything, db => Catalog.EditAsync(db, _world.Standard.Id, "Standard", Features.Sms, Jane, _world.Acme.Id, Ct));
        var asAcmeAdmin = await AsAsync(_world.AcmeAdmin, db => Catalog.EditAsync(db, _world.Standard.Id, "Standard", Features.Sms, Jane, cancellationToken: Ct));

        Assert.Equal((OrganizationChangeStatus.Refused, "Defined in Root — edit it there."), (fromAcme.Status, fromAcme.Message));
        // Root is above the Acme admin's scope: the group is inherited into it but is not theirs to change.
        Assert.Equal(OrganizationChangeStatus.NotFound, asAcmeAdmin.Status);
        var list = await AsAsync(_world.AcmeAdmin, db => Catalog.ListAsync(db, _world.Acme.Id, Ct));
        Assert.Equal(PermissionGroupCatalog.EditElsewhere(null), list!.Groups.Single(g => g.Id == _world.Standard.Id).EditRefusal);
    }

    [Fact]
    public async Task EditingAGroupChangesItsFeaturesForItsAccountsAndRecordsOneEntry()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example");
        await using (var db = _world.Database.CreateDbContext())
            await db.Accounts.Where(a => a.Id == id).ExecuteUpdateAsync(s => s.SetProperty(a => a.PermissionGroupId, _world.MessagingOnly.Id), Ct);

        var result = await AsAsync(_world.AcmeAdmin, db => Catalog.EditAsync(db, _world.MessagingOnly.Id, "Messaging", Features.Sms, Jane, _world.Acme.Id, Ct));

        Assert.Equal(OrganizationChangeStatus.Done, result.Status);
        await using var check = _world.Database.CreateDbContext();
        var account = await check.Accounts.Include(a => a.PermissionGroup).SingleAsync(a => a.Id == id, Ct);
        Assert.Equal(("Messaging", Features.Sms), (account.PermissionGroup!.Name, account.PermissionGroup.Features));
        var entry = Assert.Single(await check.ActivityEntries.ToListAsync(Ct));
        Assert.Equal((ActivityActions.PermissionGroupEdit, "Name: Messaging only → Messaging; Features: SMS, Social messaging → SMS"), (entry.Action, entry.Details));
    }

    [Fact]
    public async Task GroupNamesAreUniqueWithinTheOrganization()
    {
        var result = await AsAsync(_world.AcmeAdmin, db => Catalog.CreateAsync(db, _world.Acme.Id, "MESSAGING ONLY", Features.Sms, Jane, Ct));
        var elsewhere = await AsAsync(_world.AcmeAdmin, db => Catalog.CreateAsync(db, _world.Team.Id, "Messaging only", Features.Sms, Jane, Ct));

        Assert.Equal("Acme already has a permission group named \"MESSAGING ONLY\". Choose another name.", result.Message);
        Assert.Equal(OrganizationChangeStatus.Done, elsewhere.Status);
        await using var db = _world.Database.CreateDbContext();
        var entry = Assert.Single(await db.ActivityEntries.ToListAsync(Ct));
        Assert.Equal((ActivityActions.PermissionGroupCreate, _world.Team.Id, "Messaging only", "Features: SMS"), (entry.Action, entry.OrganizationId, entry.TargetName, entry.Details));
    }

    [Fact]
    public async Task AnInheritedGroupChosenAsDefaultIsTheDefaultOfTheOrganizationAndOfItsSubOrganizations()
    {
        var teamLeaf = await SubOrganizationAsync(_world.Team, "Team Leaf");

        var result = await AsAsync(_world.AcmeAdmin, db => Catalog.SetDefaultAsync(db, _world.Team.Id, _world.MessagingOnly.Id, Jane, Ct));

        Assert.Equal(OrganizationChangeStatus.Done, result.Status);
        Assert.Equal(_world.MessagingOnly.Id, (await AsAsync(Everything, db => AccountImport.DefaultPermissionGroupAsync(db, _world.Team.Id, Ct))));
        Assert.Equal(_world.MessagingOnly.Id, (await AsAsync(Everything, db => AccountImport.DefaultPermissionGroupAsync(db, teamLeaf.Id, Ct))));
        // Acme itself still follows Root's default.
        Assert.Equal(_world.Standard.Id, (await AsAsync(Everything, db => AccountImport.DefaultPermissionGroupAsync(db, _world.Acme.Id, Ct))));
        await using var db = _world.Database.CreateDbContext();
        var entry = Assert.Single(await db.ActivityEntries.Where(e => e.TargetKind == ActivityTargetKind.PermissionGroup).ToListAsync(Ct));
        Assert.Equal((ActivityActions.PermissionGroupDefault, "Default of Team: Standard → Messaging only"), (entry.Action, entry.Details));
    }

    [Fact]
    public async Task AnOwnGroupChosenAsDefaultIsFlaggedAndFollowingTheParentAgainClearsIt()
    {
        var own = _world.AddGroup(_world.Team, "Team group", Features.Sms);

        await AsAsync(_world.AcmeAdmin, db => Catalog.SetDefaultAsync(db, _world.Team.Id, own.Id, Jane, Ct));
        Assert.Equal(own.Id, await AsAsync(Everything, db => AccountImport.DefaultPermissionGroupAsync(db, _world.Team.Id, Ct)));

        await AsAsync(_world.AcmeAdmin, db => Catalog.SetDefaultAsync(db, _world.Team.Id, null, Jane, Ct));
        Assert.Equal(_world.Standard.Id, await AsAsync(Everything, db => AccountImport.DefaultPermissionGroupAsync(db, _world.Team.Id, Ct)));
    }

    [Fact]
    public async Task AGroupCannotBeDeletedWhileAccountsUseItOrItIsADefault()
    {
        var own = _world.AddGroup(_world.Team, "Team group", Features.Sms);
        await AsAsync(_world.AcmeAdmin, db => Catalog.SetDefaultAsync(db, _world.Team.Id, own.Id, Jane, Ct));
        var asDefault = await AsAsync(_world.AcmeAdmin, db => Catalog.DeleteAsync(db, own.Id, Jane, cancellationToken: Ct));
        _world.AddAccount(_world.Acme, "jane@acme.example");
        var used = await AsAsync(Everything, db => Catalog.DeleteAsync(db, _world.Standard.Id, Jane, cancellationToken: Ct));

        Assert.Equal("It is the default of Team; choose another default there first.", asDefault.Message);
        Assert.Equal("1 account uses this group; give them another group first.", used.Message);
        await AsAsync(_world.AcmeAdmin, db => Catalog.SetDefaultAsync(db, _world.Team.Id, null, Jane, Ct));
        var deleted = await AsAsync(_world.AcmeAdmin, db => Catalog.DeleteAsync(db, own.Id, Jane, cancellationToken: Ct));
        Assert.Equal(OrganizationChangeStatus.Done, deleted.Status);
        await using var db = _world.Database.CreateDbContext();
        Assert.Single(await db.ActivityEntries.Where(e => e.Action == ActivityActions.PermissionGroupDelete).ToListAsync(Ct));
    }

    public void Dispose() => _world.Dispose();
}
