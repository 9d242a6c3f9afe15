using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations;

/// <summary>Sends (or resends) the invitation of one account from the Accounts table: queue and save in one go.</summary>
public static class AccountInvitations
{
    public static async Task<InvitationOutcome> SendAsync(MultiLineDbContext db, InvitationIssuer issuer, int accountId, ActivityActor actor, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        var account = await db.Accounts.Include(a => a.Organization).FirstOrDefaultAsync(a => a.Id == accountId, cancellationToken);
        if (account is null)
            return new InvitationOutcome(InvitationOutcomeKind.NotApplicable, "That account is not in your scope.", null, null);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockCapacityAsync(account.OrganizationId, cancellationToken);
        var outcome = await issuer.QueueAsync(db, account, cancellationToken);
        // Recorded when an invitation goes out; a refusal changes nothing and the admin reads why at once.
        if (outcome.Succeeded)
            ActivityLog.Record(db, actor, clock.GetUtcNow().UtcDateTime, ActivityActions.AccountInvite, account.OrganizationId, ActivityTargetKind.Account,
                Accounts.AccountLifecycle.Key(account.Id), account.Username, "Invitation queued");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }
}
