using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Tests.Admins;

/// <summary>Roles, administrators, their invitations and the no-escalation rules, on a real database.</summary>
public sealed class AdministratorManagementTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    private readonly PasswordHasher<Admin> _hasher = new();
    private readonly Organization _acme, _team, _other;
    private readonly Role _super, _orgAdmin, _reports;
    private readonly Admin _root, _acmeAdmin, _otherAdmin;
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    public AdministratorManagementTests()
    {
        using var db = _database.CreateDbContext();
        _acme = Org(db, "Acme", null);
        _team = Org(db, "Team", _acme);
        _other = Org(db, "Other", null);
        _super = new Role { Name = "Super Admin", Privileges = Privileges.All };
        _orgAdmin = new Role { Name = "Organization Admin", Privileges = Privileges.Accounts | Privileges.Reports | Privileges.Administrators | Privileges.RolesAndPrivileges };
        _reports = new Role { Name = "Report Viewer", Privileges = Privileges.Reports };
        db.Roles.AddRange(_super, _orgAdmin, _reports);
        _root = NewAdmin("root@example.com", _super, null);
        _acmeAdmin = NewAdmin("acme@example.com", _orgAdmin, _acme);
        _otherAdmin = NewAdmin("other@example.com", _orgAdmin, _other);
        db.Admins.AddRange(_root, _acmeAdmin, _otherAdmin);
        db.SaveChanges();
    }

    private static Organization Org(MultiLineDbContext db, string name, Organization? parent)
    {
        var organization = new Organization { Name = name, ParentId = parent?.Id };
        db.Organizations.Add(organization);
        db.SaveChanges();
        organization.Path = Organization.PathFor(parent, organization.Id);
        db.SaveChanges();
        return organization;
    }

    private Admin NewAdmin(string email, Role role, Organization? scope)
    {
        var admin = new Admin { Email = email, NormalizedEmail = email.ToUpperInvariant(), DisplayName = email.Split('@')[0], Role = role, ScopeOrganizationId = scope?.Id };
        admin.PasswordHash = _hasher.HashPassword(admin, "a long enough password");
        return admin;
    }

    private AdminScope RootScope => new(_root.Id, null, Privileges.All);
    private AdminScope AcmeScope => new(_acmeAdmin.Id, _acme.Path, _orgAdmin.Privileges);
    private ActivityActor Actor(AdminScope scope) => new(scope.AdminId, "Actor", "203.0.113.7", ActivitySource.Portal);

    private AdministratorManagement Management(int expiryDays = 7)
    {
        var links = new ConfiguredPortalLinks(Options.Create(new InvitationOptions { PublicBaseUrl = "https://portal.example/" }));
        var issuer = new InvitationIssuer(Options.Create(new InvitationOptions()), links, _clock, new OutboxSignal());
        return new AdministratorManagement(_clock, links, Options.Create(new AdministratorOptions { InvitationExpiryDays = expiryDays }), issuer);
    }

    private RoleManagement Roles => new(_clock);
    private AdminPasswordSetup Setup => new(_database.System, _hasher, _clock);

    private MultiLineDbContext As(AdminScope scope) => new MultiLineDbContext(_database.Options).WithScope(scope);

    private async Task<T> AsAsync<T>(AdminScope scope, Func<MultiLineDbContext, Task<T>> act)
    {
        await using var db = As(scope);
        return await act(db);
    }

    private async Task<List<ActivityEntry>> EntriesAsync(ActivityTargetKind kind, int id)
    {
        await using var db = _database.CreateDbContext();
        var key = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await db.ActivityEntries.Where(e => e.TargetKind == kind && e.TargetId == key).OrderBy(e => e.Id).ToListAsync(Ct);
    }

    /// <summary>The token in the link of the newest email to <paramref name="email"/>.</summary>
    private async Task<string> LinkTokenAsync(string email)
    {
        await using var db = _database.CreateDbContext();
        var message = await db.EmailMessages.Where(m => m.ToAddress == email).OrderByDescending(m => m.Id).FirstAsync(Ct);
        var match = System.Text.RegularExpressions.Regex.Match(message.TextBody, @"set-password\?token=([A-Za-z0-9_\-%]+)");
        Assert.True(match.Success, message.TextBody);
        return Uri.UnescapeDataString(match.Groups[1].Value);
    }

    private Task<ManagementResult> InviteAsync(AdminScope scope, string email, Role role, Organization? organization) =>
        AsAsync(scope, db => Management().InviteAsync(db, new NewAdministrator("Sam New", email, role.Id, organization?.Id), Actor(scope), Ct));

    [Fact]
    public async Task AnInvitationQueuesOneEmailWithASingleUseLinkAndStoresOnlyTheTokensHash()
    {
        var result = await InviteAsync(RootScope, "sam@example.com", _reports, _team);

        Assert.True(result.Succeeded, result.Message);
        var token = await LinkTokenAsync("sam@example.com");
        await using var db = _database.CreateDbContext();
        var admin = await db.Admins.SingleAsync(a => a.NormalizedEmail == "SAM@EXAMPLE.COM", Ct);
        Assert.Equal("", admin.PasswordHash);
        Assert.Equal(ActivationTokens.Hash(token), admin.InvitationTokenHash);
        Assert.Equal(_clock.GetUtcNow().UtcDateTime.AddDays(7), admin.InvitationExpiresAtUtc);
        var email = await db.EmailMessages.SingleAsync(m => m.ToAddress == "sam@example.com", Ct);
        Assert.Equal((EmailKind.AdminInvitation, EmailState.Queued, _team.Id), (email.Kind, email.State, email.OrganizationId));
        Assert.DoesNotContain(token, admin.InvitationTokenHash!);
        Assert.DoesNotContain("password:", email.TextBody, StringComparison.OrdinalIgnoreCase);
        var entry = Assert.Single(await EntriesAsync(ActivityTargetKind.Admin, admin.Id));
        Assert.Equal((ActivityActions.AdminInvite, _team.Id, "Role: Report Viewer; Scope: Team"), (entry.Action, entry.OrganizationId, entry.Details));
    }

    [Fact]
    public async Task AnEmailAlreadyUsedByAnAdministratorIsRefusedWhateverItsCase()
    {
        var result = await InviteAsync(RootScope, "ACME@example.com", _reports, _team);

        Assert.Equal((ManagementStatus.Conflict, AdministratorManagement.EmailInUse), (result.Status, result.Message));
    }

    [Fact]
    public async Task AnAdminCannotGiveARoleWithPrivilegesTheyDoNotHold()
    {
        var result = await InviteAsync(AcmeScope, "sam@example.com", _super, _team);

        Assert.Equal(ManagementStatus.NotAllowed, result.Status);
        Assert.StartsWith("You cannot give the role \"Super Admin\": it holds privileges you do not have (Accounts Bulk Operations, Numbers, Setup, API Users, Profile)", result.Message);
        await using var db = _database.CreateDbContext();
        Assert.False(await db.Admins.AnyAsync(a => a.NormalizedEmail == "SAM@EXAMPLE.COM", Ct));
        Assert.False(await db.EmailMessages.AnyAsync(Ct));
    }

    [Fact]
    public async Task AScopedAdminCanOnlyGiveAScopeInsideTheirOwn()
    {
        var outside = await InviteAsync(AcmeScope, "sam@example.com", _reports, _other);
        var all = await InviteAsync(AcmeScope, "sam@example.com", _reports, null);
        var inside = await InviteAsync(AcmeScope, "sam@example.com", _reports, _team);

        Assert.Equal((ManagementStatus.Invalid, AdminRules.ScopeNotFound), (outside.Status, outside.Message));
        Assert.Equal((ManagementStatus.NotAllowed, AdminRules.AllOrganizationsNotYours), (all.Status, all.Message));
        Assert.True(inside.Succeeded, inside.Message);
    }

    [Fact]
    public async Task AdminsOutsideTheCallersScopeAreInvisibleAndCannotBeChanged()
    {
        var listed = await AsAsync(AcmeScope, db => Management().ListAsync(db, new AdministratorFilter(), Ct));
        var disable = await AsAsync(AcmeScope, db => Management().SetDisabledAsync(db, _otherAdmin.Id, true, Actor(AcmeScope), Ct));
        var change = await AsAsync(AcmeScope, db => Management().ChangeAsync(db, _root.Id, _reports.Id, _team.Id, Actor(AcmeScope), Ct));

        Assert.Equal(["acme@example.com"], listed.Select(a => a.Email));
        Assert.Equal((ManagementStatus.NotFound, AdminRules.AdminNotFound), (disable.Status, disable.Message));
        Assert.Equal(ManagementStatus.NotFound, change.Status);
        Assert.Equal(3, (await AsAsync(RootScope, db => Management().ListAsync(db, new AdministratorFilter(), Ct))).Count);
    }

    [Fact]
    public async Task AnAdminCannotChangeTheirOwnRoleOrScopeNorDisableThemselves()
    {
        var change = await AsAsync(AcmeScope, db => Management().ChangeAsync(db, _acmeAdmin.Id, _reports.Id, _acme.Id, Actor(AcmeScope), Ct));
        var disable = await AsAsync(AcmeScope, db => Management().SetDisabledAsync(db, _acmeAdmin.Id, true, Actor(AcmeScope), Ct));

        Assert.Equal((ManagementStatus.NotAllowed, AdminRules.NotYourself), (change.Status, change.Message));
        Assert.Equal((ManagementStatus.NotAllowed, AdminRules.CannotDisableYourself), (disable.Status, disable.Message));
    }

    [Fact]
    public async Task EachChangeRecordsExactlyOneActivityEntry()
    {
        var invited = await InviteAsync(AcmeScope, "sam@example.com", _reports, _team);
        var id = invited.Id!.Value;
        var m = Management();
        Assert.True((await AsAsync(AcmeScope, db => m.ResendAsync(db, id, Actor(AcmeScope), Ct))).Succeeded);
        Assert.True((await AsAsync(AcmeScope, db => m.ChangeAsync(db, id, _reports.Id, _acme.Id, Actor(AcmeScope), Ct))).Succeeded);
        Assert.True((await AsAsync(AcmeScope, db => m.SetDisabledAsync(db, id, true, Actor(AcmeScope), Ct))).Succeeded);
        Assert.True((await AsAsync(AcmeScope, db => m.SetDisabledAsync(db, id, false, Actor(AcmeScope), Ct))).Succeeded);
        Assert.True((await Setup.SetAsync(await LinkTokenAsync("sam@example.com"), "correct horse battery", "correct horse battery", Ct)).Succeeded);

        var entries = await EntriesAsync(ActivityTargetKind.Admin, id);
        Assert.Equal([ActivityActions.AdminInvite, ActivityActions.AdminResend, ActivityActions.AdminChange, ActivityActions.AdminDisable, ActivityActions.AdminEnable, ActivityActions.AdminPasswordSet],
            entries.Select(e => e.Action));
        Assert.Equal("Scope: Team → Acme", entries[2].Details);
    }

    [Fact]
    public async Task TheLinkSetsThePasswordOnceAndThenSaysItWasUsed()
    {
        await InviteAsync(RootScope, "sam@example.com", _reports, _team);
        var token = await LinkTokenAsync("sam@example.com");

        var offer = await Setup.OpenAsync(token, Ct);
        var tooShort = await Setup.SetAsync(token, "short", "short", Ct);
        var mismatch = await Setup.SetAsync(token, "correct horse battery", "correct horse battrey", Ct);
        var set = await Setup.SetAsync(token, "correct horse battery", "correct horse battery", Ct);
        var again = await Setup.SetAsync(token, "another long password", "another long password", Ct);

        Assert.Equal((SetPasswordState.Ready, "Sam New", "sam@example.com"), (offer.State, offer.Name, offer.Email));
        Assert.Equal($"Use at least {AdminPasswordRules.MinLength} characters.", tooShort.Message);
        Assert.Equal("The two passwords do not match.", mismatch.Message);
        Assert.True(set.Succeeded, set.Message);
        Assert.Equal((false, AdminPasswordSetup.AlreadyUsedMessage), (again.Succeeded, again.Message));
        var signIn = await new AdminSignIn(_database.System, _hasher, _clock).SignInAsync("sam@example.com", "correct horse battery", cancellationToken: Ct);
        Assert.True(signIn.Succeeded, signIn.Error);
        var wrong = await new AdminSignIn(_database.System, _hasher, _clock).SignInAsync("sam@example.com", "another long password", cancellationToken: Ct);
        Assert.False(wrong.Succeeded);
    }

    [Fact]
    public async Task AnInvitedAdminCannotSignInBeforeSettingAPassword()
    {
        await InviteAsync(RootScope, "sam@example.com", _reports, _team);

        var signIn = await new AdminSignIn(_database.System, _hasher, _clock).SignInAsync("sam@example.com", "", cancellationToken: Ct);

        Assert.Equal(AdminSignIn.WrongCredentials, signIn.Error);
    }

    [Fact]
    public async Task AResendReplacesTheLinkSoTheOldOneStopsWorking()
    {
        var id = (await InviteAsync(RootScope, "sam@example.com", _reports, _team)).Id!.Value;
        var first = await LinkTokenAsync("sam@example.com");
        await AsAsync(RootScope, db => Management().ResendAsync(db, id, Actor(RootScope), Ct));
        var second = await LinkTokenAsync("sam@example.com");

        Assert.NotEqual(first, second);
        Assert.Equal(SetPasswordState.NotFound, (await Setup.OpenAsync(first, Ct)).State);
        Assert.False((await Setup.SetAsync(first, "correct horse battery", "correct horse battery", Ct)).Succeeded);
        Assert.True((await Setup.SetAsync(second, "correct horse battery", "correct horse battery", Ct)).Succeeded);
        var resendAfter = await AsAsync(RootScope, db => Management().ResendAsync(db, id, Actor(RootScope), Ct));
        Assert.Equal((ManagementStatus.Conflict, AdministratorManagement.AlreadySetPassword), (resendAfter.Status, resendAfter.Message));
    }

    [Fact]
    public async Task AnExpiredLinkSaysSoAndSetsNothing()
    {
        await InviteAsync(RootScope, "sam@example.com", _reports, _team);
        var token = await LinkTokenAsync("sam@example.com");
        _clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));

        var result = await Setup.SetAsync(token, "correct horse battery", "correct horse battery", Ct);

        Assert.Equal((false, AdminPasswordSetup.ExpiredMessage), (result.Succeeded, result.Message));
        await using var db = _database.CreateDbContext();
        Assert.Equal("", (await db.Admins.SingleAsync(a => a.Email == "sam@example.com", Ct)).PasswordHash);
    }

    [Fact]
    public async Task ADisabledAdminCannotSignInAndTheirSessionStops()
    {
        var sessions = new AdminSessions(_database.System, _clock);
        var session = await sessions.StartAsync(_acmeAdmin.Id, Ct);

        var result = await AsAsync(RootScope, db => Management().SetDisabledAsync(db, _acmeAdmin.Id, true, Actor(RootScope), Ct));

        Assert.True(result.Succeeded, result.Message);
        Assert.False(await sessions.IsCurrentAsync(_acmeAdmin.Id, session, Ct));
        var signIn = await new AdminSignIn(_database.System, _hasher, _clock).SignInAsync("acme@example.com", "a long enough password", cancellationToken: Ct);
        Assert.Equal(AdminSignIn.Disabled, signIn.Error);
    }

    [Fact]
    public async Task AChangeOfRoleOrScopeEndsTheSessionsFingerprintAtTheNextRequest()
    {
        var sessions = new AdminSessions(_database.System, _clock);
        var roleSession = await sessions.StartAsync(_acmeAdmin.Id, Ct);

        await AsAsync(RootScope, db => Management().ChangeAsync(db, _acmeAdmin.Id, _reports.Id, _acme.Id, Actor(RootScope), Ct));
        var scopeSession = await sessions.StartAsync(_acmeAdmin.Id, Ct);
        Assert.True(await sessions.IsCurrentAsync(_acmeAdmin.Id, scopeSession, Ct));
        await AsAsync(RootScope, db => Management().ChangeAsync(db, _acmeAdmin.Id, _reports.Id, _team.Id, Actor(RootScope), Ct));

        Assert.False(await sessions.IsCurrentAsync(_acmeAdmin.Id, roleSession, Ct));
        Assert.False(await sessions.IsCurrentAsync(_acmeAdmin.Id, scopeSession, Ct));
    }

    [Fact]
    public async Task ARoleInUseCannotBeDeletedAndSaysByHowMany()
    {
        var result = await AsAsync(RootScope, db => Roles.DeleteAsync(db, _orgAdmin.Id, Actor(RootScope), Ct));
        var listed = await AsAsync(RootScope, db => Roles.ListAsync(db, Ct));

        Assert.Equal(ManagementStatus.Conflict, result.Status);
        Assert.Equal("The role \"Organization Admin\" cannot be deleted: used by 2 administrators. Give them another role first.", result.Message);
        Assert.Equal("Used by 2 administrators", listed.Single(r => r.Id == _orgAdmin.Id).DeleteRefusal);
        Assert.Empty(await EntriesAsync(ActivityTargetKind.Role, _orgAdmin.Id));
    }

    [Fact]
    public async Task RolesAreCreatedEditedAndDeletedWithOneEntryEach()
    {
        var created = await AsAsync(RootScope, db => Roles.CreateAsync(db, new RoleInput("Numbers desk", Privileges.Numbers), Actor(RootScope), Ct));
        var id = created.Id!.Value;
        var duplicate = await AsAsync(RootScope, db => Roles.CreateAsync(db, new RoleInput("numbers DESK", Privileges.Numbers), Actor(RootScope), Ct));
        var edited = await AsAsync(RootScope, db => Roles.EditAsync(db, id, new RoleInput("Numbers desk", Privileges.Numbers | Privileges.Reports), Actor(RootScope), Ct));
        var deleted = await AsAsync(RootScope, db => Roles.DeleteAsync(db, id, Actor(RootScope), Ct));

        Assert.True(created.Succeeded && edited.Succeeded && deleted.Succeeded);
        Assert.Equal((ManagementStatus.Conflict, "A role named \"numbers DESK\" already exists. Choose another name."), (duplicate.Status, duplicate.Message));
        var entries = await EntriesAsync(ActivityTargetKind.Role, id);
        Assert.Equal([ActivityActions.RoleCreate, ActivityActions.RoleEdit, ActivityActions.RoleDelete], entries.Select(e => e.Action));
        Assert.Equal("Privileges: Numbers → Numbers, Reports", entries[1].Details);
    }

    [Fact]
    public async Task AnAdminCannotPutIntoARolePrivilegesTheyDoNotHoldNorEditARoleThatHoldsThem()
    {
        var create = await AsAsync(AcmeScope, db => Roles.CreateAsync(db, new RoleInput("Numbers desk", Privileges.Numbers), Actor(AcmeScope), Ct));
        var edit = await AsAsync(AcmeScope, db => Roles.EditAsync(db, _super.Id, new RoleInput("Super Admin", Privileges.Reports), Actor(AcmeScope), Ct));
        var listed = await AsAsync(AcmeScope, db => Roles.ListAsync(db, Ct));

        Assert.Equal((ManagementStatus.NotAllowed, "You cannot give a role privileges you do not have yourself (Numbers)."), (create.Status, create.Message));
        Assert.Equal(ManagementStatus.NotAllowed, edit.Status);
        Assert.StartsWith("You cannot change the role \"Super Admin\": it holds privileges you do not have", edit.Message);
        Assert.NotNull(listed.Single(r => r.Id == _super.Id).EditRefusal);
        Assert.Null(listed.Single(r => r.Id == _reports.Id).EditRefusal);
    }

    [Fact]
    public async Task AScopedAdminCannotEditARoleThatAdminsOutsideTheirScopeHold()
    {
        var edit = await AsAsync(AcmeScope, db => Roles.EditAsync(db, _orgAdmin.Id, new RoleInput("Organization Admin", Privileges.Reports), Actor(AcmeScope), Ct));

        Assert.Equal((ManagementStatus.NotAllowed, RoleManagement.UsedOutsideScope), (edit.Status, edit.Message));
    }

    public void Dispose() => _database.Dispose();
}
