using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations;

/// <summary>Sends (or resends) the invitation of one account from the Accounts table: queue and save in one go.</summary>
public static class AccountInvitations
{
    public static async Task<InvitationOutcome> SendAsync(MultiLineDbContext db, InvitationIssuer issuer, int accountId, CancellationToken cancellationToken = default)
    {
        var account = await db.Accounts.Include(a => a.Organization).FirstOrDefaultAsync(a => a.Id == accountId, cancellationToken);
        if (account is null)
            return new InvitationOutcome(InvitationOutcomeKind.NotApplicable, "That account is not in your scope.", null, null);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockCapacityAsync(account.OrganizationId, cancellationToken);
        var outcome = await issuer.QueueAsync(db, account, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcome;
    }
}
