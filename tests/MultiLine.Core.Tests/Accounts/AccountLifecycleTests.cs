using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Accounts;

/// <summary>Edit, suspend, unsuspend and delete on a real database: the rules, the number, the invitations and the activity record.</summary>
public sealed class AccountLifecycleTests : IDisposable
{
    private readonly ImportWorld _world = new();
    private static readonly ActivityActor Jane = new(1, "Jane Admin", "203.0.113.7", ActivitySource.Portal);
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    private AccountLifecycle Lifecycle => new(new AccountInputValidator(), _world.Database.System, TimeProvider.System);

    private async Task<AccountChangeResult> AsAdminAsync(Func<AccountLifecycle, Core.Persistence.MultiLineDbContext, Task<AccountChangeResult>> act, AdminScope? scope = null)
    {
        await using var db = _world.Database.CreateDbContext();
        return await act(Lifecycle, db.WithScope(scope ?? _world.AcmeAdmin));
    }

    private async Task<AccountDetails> DetailsAsync(int id)
    {
        await using var db = _world.Database.CreateDbContext();
        return (await AccountPanelQueries.LoadAsync(db, id, Ct))!;
    }

    private async Task<List<ActivityEntry>> EntriesAsync(int id)
    {
        await using var db = _world.Database.CreateDbContext();
        var key = AccountLifecycle.Key(id);
        return await db.ActivityEntries.Where(e => e.TargetKind == ActivityTargetKind.Account && e.TargetId == key).OrderBy(e => e.Id).ToListAsync(Ct);
    }

    private async Task<AccountChangeResult> EditAsync(int id, Action<AccountInput> change, int? groupId = null)
    {
        var input = (await DetailsAsync(id)).ToInput();
        change(input);
        return await AsAdminAsync((l, db) => l.EditAsync(db, id, new AccountEdit(input, groupId ?? _world.Standard.Id), Jane, Ct));
    }

    [Fact]
    public async Task AnEditSavesTheNewValuesAndRecordsOneEntrySayingWhatChanged()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example");

        var result = await EditAsync(id, i => { i.FirstName = "Jane"; i.MonitorSms = "on"; i.Language = "Italian"; }, _world.MessagingOnly.Id);

        Assert.Equal(AccountChangeStatus.Done, result.Status);
        var account = await DetailsAsync(id);
        Assert.Equal(("Jane", MonitorSms.On, Language.Italian, "Messaging only"), (account.FirstName, account.MonitorSms, account.Language, account.PermissionGroup));
        var entry = Assert.Single(await EntriesAsync(id));
        Assert.Equal((ActivityActions.AccountEdit, "Jane Admin", 1, "203.0.113.7", ActivitySource.Portal, _world.Acme.Id),
            (entry.Action, entry.AdminName, entry.AdminId, entry.ClientIp, entry.Source, entry.OrganizationId));
        Assert.Equal("First name: (none) → Jane; User Permissions: Standard → Messaging only; Monitor SMS: off → on; Language: English → Italian", entry.Details);
    }

    [Fact]
    public async Task AnEditIsRefusedWithTheCsvsOwnWordsAndChangesNothing()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example");

        var result = await EditAsync(id, i => { i.MonitorSms = "yes"; i.FirstName = "Jane"; });

        Assert.Equal(AccountChangeStatus.Refused, result.Status);
        Assert.Equal(("monitor_sms", "\"yes\" is not one of on, off."), (Assert.Single(result.Problems).Column, result.Problems[0].Message));
        Assert.Null((await DetailsAsync(id)).FirstName);
        Assert.Empty(await EntriesAsync(id));
    }

    [Fact]
    public async Task AnEditThatChangesNothingRecordsNothing()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example");

        var result = await EditAsync(id, _ => { });

        Assert.Equal(AccountChangeStatus.Unchanged, result.Status);
        Assert.Empty(await EntriesAsync(id));
    }

    [Fact]
    public async Task AUsernameHeldOutsideTheScopeIsRefusedWithoutNamingItsOrganization()
    {
        _world.AddAccount(_world.Other, "taken@other.example");
        var id = _world.AddAccount(_world.Acme, "jane@acme.example");

        var result = await EditAsync(id, i => i.Username = "TAKEN@other.example");

        Assert.Equal("\"TAKEN@other.example\" is already in use by another account.", Assert.Single(result.Problems).Message);
        Assert.Equal("jane@acme.example", (await DetailsAsync(id)).Username);
    }

    [Fact]
    public async Task AUsernameChangeFollowsTheOrganizationsRules()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example");

        var renamed = await EditAsync(id, i => i.Username = "Janet@Acme.example");
        var social = await EditAsync(id, i => i.SocialMessaging = "Yes");

        Assert.Equal(AccountChangeStatus.Done, renamed.Status);
        Assert.Equal(AccountChangeStatus.Done, social.Status);
        var vaultGroup = _world.AddGroup(_world.Vault, "Vault voice", Core.Organizations.Features.VoiceCalling, isDefault: true);
        var vaultAccount = _world.AddAccount(_world.Vault, "+14155550100");
        var vaultAdmin = new AdminScope(1, null, Privileges.All);
        var input = (await DetailsAsync(vaultAccount)).ToInput();
        var refused = await AsAdminAsync((l, db) => l.EditAsync(db, vaultAccount, new AccountEdit(input with { FirstName = "Bob" }, vaultGroup.Id), Jane, Ct), vaultAdmin);
        Assert.Equal("email address or device", Assert.Single(refused.Problems).Column);
        Assert.Equal(2, (await EntriesAsync(id)).Count);
    }

    [Fact]
    public async Task APendingAccountsNumberChangesAndTheOldOneIsReleased()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example");
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Assigned, accountId: id);
        _world.AddNumber(_world.Acme, "+12125550101", NumberState.Reserved, tag: "PORTED");

        var result = await EditAsync(id, i => i.MultiLineNumber = "+1 212 555 0101");

        Assert.Equal(AccountChangeStatus.Done, result.Status);
        await using var db = _world.Database.CreateDbContext();
        var numbers = await db.Numbers.OrderBy(n => n.E164).Select(n => new { n.State, n.AccountId, n.ReservationTag }).ToListAsync(Ct);
        Assert.Equal([new { State = NumberState.Available, AccountId = (int?)null, ReservationTag = (string?)null }, new { State = NumberState.Assigned, AccountId = (int?)id, ReservationTag = (string?)null }], numbers);
        Assert.Contains("MultiLine number: +12125550100 → +12125550101", Assert.Single(await EntriesAsync(id)).Details);
    }

    [Fact]
    public async Task AnEditMayAskForAnyReservedNumberWithATag()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example");
        var other = _world.AddAccount(_world.Acme, "john@acme.example");
        _world.AddNumber(_world.Acme, "+12125550101", NumberState.Reserved, tag: "PORTED");

        var result = await EditAsync(id, i => i.MultiLineNumber = "tag:PORTED");
        var none = await EditAsync(other, i => i.MultiLineNumber = "tag:PORTED");

        Assert.Equal(AccountChangeStatus.Done, result.Status);
        Assert.Equal("No Reserved number with tag PORTED is left for Acme.", Assert.Single(none.Problems).Message);
        await using var db = _world.Database.CreateDbContext();
        var number = await db.Numbers.SingleAsync(Ct);
        Assert.Equal((NumberState.Assigned, (int?)id, (string?)null), (number.State, number.AccountId, number.ReservationTag));
        Assert.Contains("MultiLine number: (none) → +12125550101", Assert.Single(await EntriesAsync(id)).Details);
    }

    [Fact]
    public async Task AnActiveAccountsNumberCannotChange()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Active);
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Registered, accountId: id);
        _world.AddNumber(_world.Acme, "+12125550101");

        var result = await EditAsync(id, i => i.MultiLineNumber = "+12125550101");

        Assert.Equal(AccountLifecycle.NumberChangeRefusal(AccountStatus.Active), Assert.Single(result.Problems).Message);
        Assert.Equal("+12125550100", (await DetailsAsync(id)).Number!.E164);
    }

    [Fact]
    public async Task AnotherOrganizationsNumberIsRefused()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example");
        _world.AddNumber(_world.Other, "+12125550109");

        var result = await EditAsync(id, i => i.MultiLineNumber = "+12125550109");

        Assert.Equal("+12125550109 is not an available or reserved number of Acme.", Assert.Single(result.Problems).Message);
        Assert.Null((await DetailsAsync(id)).Number);
        Assert.Empty(await EntriesAsync(id));
    }

    [Fact]
    public async Task SuspendKeepsTheNumberAndUnsuspendReturnsToTheFormerStatus()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Invited);
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Assigned, accountId: id);

        var suspended = await AsAdminAsync((l, db) => l.SuspendAsync(db, id, Jane, Ct));
        var again = await AsAdminAsync((l, db) => l.SuspendAsync(db, id, Jane, Ct));
        var whileSuspended = await DetailsAsync(id);
        var unsuspended = await AsAdminAsync((l, db) => l.UnsuspendAsync(db, id, Jane, Ct));

        Assert.Equal(AccountChangeStatus.Done, suspended.Status);
        Assert.Equal(("The account is already suspended.", AccountChangeStatus.Refused), (again.Message, again.Status));
        Assert.Equal((AccountStatus.Suspended, AccountStatus.Invited, "+12125550100"), (whileSuspended.Status, whileSuspended.StatusBeforeSuspension, whileSuspended.Number!.E164));
        Assert.Equal(AccountChangeStatus.Done, unsuspended.Status);
        var after = await DetailsAsync(id);
        Assert.Equal((AccountStatus.Invited, (AccountStatus?)null), (after.Status, after.StatusBeforeSuspension));
        Assert.Equal(["Status: Invited → Suspended", "Status: Suspended → Invited"], (await EntriesAsync(id)).Select(e => e.Details));
        Assert.Equal(["Unsuspended", "Suspended", "Added"], after.History.Select(h => h.What));
    }

    [Fact]
    public async Task ASuspendedAccountsInvitationLinkIsRefusedUntilItIsUnsuspended()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Invited);
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Assigned, accountId: id);
        const string token = "activation-token-of-suspended-jane";
        await AddInvitationAsync(id, token);
        var activation = new AccountActivation(_world.Database.System, TimeProvider.System);

        await AsAdminAsync((l, db) => l.SuspendAsync(db, id, Jane, Ct));
        var whileSuspended = await activation.ActivateAsync(token, null, Ct);
        await AsAdminAsync((l, db) => l.UnsuspendAsync(db, id, Jane, Ct));
        var afterwards = await activation.ActivateAsync(token, null, Ct);

        Assert.False(whileSuspended.Succeeded);
        Assert.Equal("This account is suspended and cannot be activated with this link. Ask your administrator.", whileSuspended.Message);
        Assert.True(afterwards.Succeeded, afterwards.Message);
        Assert.Equal(AccountStatus.Active, (await DetailsAsync(id)).Status);
    }

    [Fact]
    public async Task AnActiveAccountGoesBackToActive()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Active);

        await AsAdminAsync((l, db) => l.SuspendAsync(db, id, Jane, Ct));
        var result = await AsAdminAsync((l, db) => l.UnsuspendAsync(db, id, Jane, Ct));

        Assert.Equal("jane@acme.example is active again.", result.Message);
        Assert.Equal(AccountStatus.Active, (await DetailsAsync(id)).Status);
    }

    [Fact]
    public async Task TwoAdminsSuspendingAtOnceSuspendOnceAndRecordOneEntry()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Active);

        var results = await Task.WhenAll(
            AsAdminAsync((l, db) => l.SuspendAsync(db, id, Jane, Ct)),
            AsAdminAsync((l, db) => l.SuspendAsync(db, id, Jane with { AdminName = "Joe Admin" }, Ct)));

        Assert.Single(results, r => r.Status == AccountChangeStatus.Done);
        Assert.Single(results, r => r.Status == AccountChangeStatus.Refused);
        Assert.Single(await EntriesAsync(id));
    }

    [Fact]
    public async Task DeleteReleasesTheNumberRevokesTheInvitationAndWithdrawsItsQueuedEmail()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Invited);
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Assigned, accountId: id);
        const string token = "activation-token-of-jane";
        var emailId = await AddInvitationAsync(id, token);
        var activation = new AccountActivation(_world.Database.System, TimeProvider.System);
        Assert.Equal(ActivationState.Ready, (await activation.OpenAsync(token, Ct)).State);

        var result = await AsAdminAsync((l, db) => l.DeleteAsync(db, id, new AccountDeletion(NumberDisposition.Release), Jane, Ct));

        Assert.Equal("jane@acme.example is deleted; number +12125550100 released to Available.", result.Message);
        Assert.Equal(ActivationState.NotFound, (await activation.OpenAsync(token, Ct)).State);
        Assert.False((await activation.ActivateAsync(token, null, Ct)).Succeeded);
        await using var db = _world.Database.CreateDbContext();
        Assert.False(await db.Accounts.AnyAsync(a => a.Id == id, Ct));
        var number = await db.Numbers.SingleAsync(Ct);
        Assert.Equal((NumberState.Available, (int?)null, (string?)null), (number.State, number.AccountId, number.ReservationTag));
        Assert.Equal(EmailState.Withdrawn, (await db.EmailMessages.SingleAsync(m => m.Id == emailId, Ct)).State);
        var entry = Assert.Single(await EntriesAsync(id));
        Assert.Equal((ActivityActions.AccountDelete, "jane@acme.example"), (entry.Action, entry.TargetName));
        Assert.Equal("Deleted (jane@acme.example, Invited, Acme); number +12125550100 released to Available; 1 queued invitation email not sent", entry.Details);
    }

    [Fact]
    public async Task DeleteCanKeepTheNumberReservedWithATag()
    {
        var id = _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Active);
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Registered, accountId: id);

        var untagged = await AsAdminAsync((l, db) => l.DeleteAsync(db, id, new AccountDeletion(NumberDisposition.Reserve, " "), Jane, Ct));
        var result = await AsAdminAsync((l, db) => l.DeleteAsync(db, id, new AccountDeletion(NumberDisposition.Reserve, "ported"), Jane, Ct));

        Assert.Equal("A reservation needs a tag, such as PORTED.", untagged.Message);
        Assert.Equal(AccountChangeStatus.Done, result.Status);
        await using var db = _world.Database.CreateDbContext();
        var number = await db.Numbers.SingleAsync(Ct);
        Assert.Equal((NumberState.Reserved, (int?)null, "PORTED"), (number.State, number.AccountId, number.ReservationTag));
        Assert.Single(await EntriesAsync(id));
    }

    [Fact]
    public async Task AnAccountOutsideTheScopeIsNotFoundAndAnAdminWithoutTheAccountsPrivilegeIsRefused()
    {
        var other = _world.AddAccount(_world.Other, "bob@other.example", AccountStatus.Active);
        var mine = _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Active);
        var reportsOnly = new AdminScope(2, _world.Acme.Path, Privileges.Reports);

        var foreign = await AsAdminAsync((l, db) => l.SuspendAsync(db, other, Jane, Ct));
        var foreignDelete = await AsAdminAsync((l, db) => l.DeleteAsync(db, other, new AccountDeletion(NumberDisposition.Release), Jane, Ct));
        var notAllowed = await AsAdminAsync((l, db) => l.SuspendAsync(db, mine, Jane, Ct), reportsOnly);

        Assert.Equal((AccountChangeStatus.NotFound, AccountLifecycle.NotFoundMessage), (foreign.Status, foreign.Message));
        Assert.Equal(AccountChangeStatus.NotFound, foreignDelete.Status);
        Assert.Equal(AccountChangeStatus.NotAllowed, notAllowed.Status);
        Assert.Equal(AccountStatus.Active, (await DetailsAsync(other)).Status);
        Assert.Equal(AccountStatus.Active, (await DetailsAsync(mine)).Status);
        Assert.Empty(await EntriesAsync(other));
        Assert.Empty(await EntriesAsync(mine));
    }

    [Fact]
    public async Task AnAdminSeesOnlyTheActivityOfTheirOrganizations()
    {
        var other = _world.AddAccount(_world.Other, "bob@other.example", AccountStatus.Active);
        var mine = _world.AddAccount(_world.Team, "jane@acme.example", AccountStatus.Active);
        await AsAdminAsync((l, db) => l.SuspendAsync(db, other, Jane, Ct), new AdminScope(1, null, Privileges.All));
        await AsAdminAsync((l, db) => l.SuspendAsync(db, mine, Jane, Ct));

        await using var db = _world.Database.CreateDbContext();
        var seen = await db.WithScope(_world.AcmeAdmin).ActivityEntries.Select(e => e.TargetName).ToListAsync(Ct);

        Assert.Equal(["jane@acme.example"], seen);
    }

    private async Task<int> AddInvitationAsync(int accountId, string token)
    {
        await using var db = _world.Database.CreateDbContext();
        var email = new EmailMessage
        {
            Kind = EmailKind.Invitation, OrganizationId = _world.Acme.Id, AccountId = accountId, ToAddress = "jane@acme.example",
            Subject = "Your MultiLine account", HtmlBody = "<p>link</p>", TextBody = "link", State = EmailState.Queued,
            CreatedAtUtc = DateTime.UtcNow, NextAttemptAtUtc = DateTime.UtcNow,
        };
        db.EmailMessages.Add(email);
        await db.SaveChangesAsync(Ct);
        db.Invitations.Add(new Invitation
        {
            AccountId = accountId, TokenHash = ActivationTokens.Hash(token), CreatedAtUtc = DateTime.UtcNow,
            ExpiresAtUtc = DateTime.UtcNow.AddDays(7), EmailMessageId = email.Id,
        });
        await db.SaveChangesAsync(Ct);
        return email.Id;
    }

    public void Dispose() => _world.Dispose();
}
