using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;

namespace MultiLine.Core.Tests.Invitations;

public sealed class InvitationIssuerTests : IDisposable
{
    private readonly InvitationWorld _world = new(availableNumbers: 3, "acme.example");

    [Fact]
    public async Task QueuedInvitationWritesTheEmailAndMarksTheAccountInvitedWithoutSavingItself()
    {
        var account = await _world.AddAccountAsync("ava@acme.example");
        await using var db = _world.Db();
        var tracked = await db.Accounts.FindAsync([account.Id], TestContext.Current.CancellationToken);

        var outcome = await _world.Issuer.QueueAsync(db, tracked!, TestContext.Current.CancellationToken);

        Assert.True(outcome.Succeeded);
        Assert.Equal(AccountStatus.Invited, tracked!.Status);
        await using (var other = _world.Db())
            Assert.Equal(0, await other.EmailMessages.CountAsync(TestContext.Current.CancellationToken));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        await using var after = _world.Db();
        var message = await after.EmailMessages.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(EmailState.Queued, message.State);
        Assert.Equal("ava@acme.example", message.ToAddress);
        Assert.Contains(outcome.ActivationLink!, message.TextBody);
    }

    [Fact]
    public async Task TokenIsStoredOnlyAsItsSha256Hash()
    {
        var account = await _world.AddAccountAsync("ava@acme.example");

        var outcome = await _world.InviteAsync(account.Id);

        var token = InvitationWorld.TokenOf(outcome);
        Assert.True(Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + "=").Length == 32);
        await using var db = _world.Db();
        var invitation = await db.Invitations.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(ActivationTokens.Hash(token), invitation.TokenHash);
        Assert.DoesNotContain(token, invitation.TokenHash);
        Assert.Equal(_world.Clock.Now.UtcDateTime.AddDays(14), invitation.ExpiresAtUtc);
    }

    [Fact]
    public async Task InvitationToADomainOutsideTheAllowedListFailsWithTheReason()
    {
        var account = await _world.AddAccountAsync("ava@gmail.example");

        var outcome = await _world.InviteAsync(account.Id);

        Assert.Equal(InvitationOutcomeKind.Failed, outcome.Kind);
        Assert.Equal("Invitations of Acme may only go to acme.example; gmail.example is not allowed.", outcome.Reason);
        var saved = await _world.ReloadAsync(account.Id);
        Assert.Equal(AccountStatus.InvitationFailed, saved.Status);
        Assert.Equal(outcome.Reason, saved.InvitationError);
    }

    [Fact]
    public async Task PhoneNumberUsernameFailsAndSaysItNeedsAnEmailAddress()
    {
        var account = await _world.AddAccountAsync("+447700900123");

        var outcome = await _world.InviteAsync(account.Id);

        Assert.Equal(InvitationRules.NeedsEmailAddress, outcome.Reason);
        Assert.Equal(AccountStatus.InvitationFailed, (await _world.ReloadAsync(account.Id)).Status);
    }

    [Fact]
    public async Task AccountWithoutNumberNeedsFreeCapacityAndFailsWhenNoneIsLeft()
    {
        // Three available numbers, three pending accounts without one: each of them is already promised a number.
        var first = await _world.AddAccountAsync("a@acme.example");
        await _world.AddAccountAsync("b@acme.example");
        await _world.AddAccountAsync("c@acme.example");
        Assert.True((await _world.InviteAsync(first.Id)).Succeeded);

        await using var db = _world.Db();
        var newcomer = new Account { Username = "d@acme.example", NormalizedUsername = "d@acme.example", OrganizationId = _world.OrganizationId, PermissionGroupId = _world.GroupId };
        db.Accounts.Add(newcomer);
        var outcome = await _world.Issuer.QueueAsync(db, newcomer, TestContext.Current.CancellationToken);

        Assert.Equal(InvitationOutcomeKind.Failed, outcome.Kind);
        Assert.StartsWith("Acme has no free capacity for 1 account without a number (3 Available numbers, 3 pending accounts waiting for a number: free capacity 0)", outcome.Reason);
    }

    [Fact]
    public async Task AccountHoldingANumberIsInvitedEvenWithoutFreeCapacity()
    {
        var holder = await _world.AddAccountAsync("holder@acme.example", withNumber: true);
        await _world.AddAccountAsync("b@acme.example");
        await _world.AddAccountAsync("c@acme.example");

        var outcome = await _world.InviteAsync(holder.Id);

        Assert.True(outcome.Succeeded);
        await using var db = _world.Db();
        Assert.Contains("+12125550000", (await db.EmailMessages.SingleAsync(TestContext.Current.CancellationToken)).TextBody);
    }

    [Fact]
    public async Task ResendMakesTheEarlierInvitationUnusableAndItsQueuedEmailIsNeverSent()
    {
        var account = await _world.AddAccountAsync("ava@acme.example");
        var first = await _world.InviteAsync(account.Id);

        var second = await _world.InviteAsync(account.Id);

        Assert.True(second.Succeeded);
        var old = await _world.Activation.OpenAsync(InvitationWorld.TokenOf(first), TestContext.Current.CancellationToken);
        Assert.Equal(ActivationState.Replaced, old.State);
        Assert.Equal(ActivationState.Ready, (await _world.Activation.OpenAsync(InvitationWorld.TokenOf(second), TestContext.Current.CancellationToken)).State);
        await using var db = _world.Db();
        var states = await db.EmailMessages.OrderBy(m => m.Id).Select(m => m.State).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([EmailState.Superseded, EmailState.Queued], states);
    }

    [Fact]
    public async Task ActiveAccountNeedsNoInvitationAndIsLeftAlone()
    {
        var account = await _world.AddAccountAsync("ava@acme.example", withNumber: true);
        await using (var db = _world.Db())
            await db.Accounts.Where(a => a.Id == account.Id).ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AccountStatus.Active), TestContext.Current.CancellationToken);

        var outcome = await _world.InviteAsync(account.Id);

        Assert.Equal(InvitationOutcomeKind.NotApplicable, outcome.Kind);
        Assert.Equal(AccountStatus.Active, (await _world.ReloadAsync(account.Id)).Status);
    }

    public void Dispose() => _world.Dispose();
}
