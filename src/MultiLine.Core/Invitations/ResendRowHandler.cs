using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations;

/// <summary>
/// "Resend Invitation" for one account per row: active accounts are skipped; a pending account gets a new invitation
/// (earlier links stop working), or fails with the reason, e.g. when no number is left to keep for it.
/// </summary>
public sealed class ResendRowHandler(InvitationIssuer invitations) : IBatchRowHandler
{
    public bool Handles(BatchKind kind) => kind == BatchKind.ResendInvitations;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var accounts = await BatchRowTargets.LoadAsync(db, rows, cancellationToken);
        await db.LockCapacityAsync(accounts.Values.Select(a => a.OrganizationId), cancellationToken);
        foreach (var row in rows)
        {
            if (!accounts.TryTake(row, out var account))
                continue;
            var outcome = await invitations.QueueAsync(db, account, cancellationToken);
            switch (outcome.Kind)
            {
                case InvitationOutcomeKind.Queued:
                    (row.Outcome, row.Reason, row.Invitation) = (RowOutcome.Succeeded, null, InvitationState.Queued);
                    await db.SaveChangesAsync(cancellationToken);
                    row.InvitationId = outcome.Invitation!.Id;
                    continue;
                case InvitationOutcomeKind.NotApplicable:
                    (row.Outcome, row.Reason) = (RowOutcome.Skipped, outcome.Reason);
                    break;
                default:
                    (row.Outcome, row.Reason, row.Invitation) = (RowOutcome.Failed, outcome.Reason, InvitationState.Failed);
                    break;
            }
            // Saved per row: the next account's capacity check must see this one's new state.
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
