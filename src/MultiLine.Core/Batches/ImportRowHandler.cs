using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>
/// Creates the accounts of an import. Re-checks what may have changed since validation (username taken, number gone)
/// and takes numbers with a conditional update, so no number is ever held twice, whatever runs beside it.
/// </summary>
/// <remarks>
/// The processor's transaction holds SQLite's write lock for the whole group, so the username check made at the start
/// of the group stays true until it commits; the unique index remains the last word on any other database.
/// </remarks>
public sealed class ImportRowHandler(InvitationIssuer invitations) : IBatchRowHandler
{
    public bool Handles(BatchKind kind) => kind is BatchKind.Import or BatchKind.ImportAndInvite;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var usernames = rows.Select(r => r.NormalizedUsername!).ToArray();
        var taken = (await db.Accounts
                .Where(a => usernames.Contains(a.NormalizedUsername))
                .Select(a => a.NormalizedUsername)
                .ToListAsync(cancellationToken))
            .ToHashSet();

        // One insert round for the group: every row whose username is still free gets its account.
        var created = new List<(BatchRow Row, Account Account)>(rows.Count);
        foreach (var row in rows)
        {
            if (!taken.Add(row.NormalizedUsername!))
            {
                Fail(row, $"{row.Username} is already in use by another account.");
                continue;
            }
            var account = row.ToDraft().ToAccount(batch.OrganizationId, batch.PermissionGroupId!.Value, nowUtc);
            db.Accounts.Add(account);
            created.Add((row, account));
        }
        await db.SaveChangesAsync(cancellationToken);

        // Numbers of the organization or of its ancestors serve it (the same rule as validation).
        var path = await db.Organizations.Where(o => o.Id == batch.OrganizationId).Select(o => o.Path).SingleAsync(cancellationToken);
        var owners = Organizations.Organization.IdsOnPath(path);
        var lost = new List<Account>();
        foreach (var (row, account) in created)
        {
            if (row.MultiLineNumber is not { } e164)
                continue;
            var held = await db.Numbers
                .Where(n => n.E164 == e164 && owners.Contains(n.OrganizationId) && n.State == NumberState.Available && n.AccountId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Assigned).SetProperty(n => n.AccountId, account.Id), cancellationToken);
            if (held == 1)
            {
                row.Number = e164;
                continue;
            }
            // Taken since validation: this row's account goes again, inside the same transaction.
            lost.Add(account);
            Fail(row, $"{e164} is no longer available; it was taken after the file was checked.");
        }
        if (lost.Count > 0)
        {
            db.Accounts.RemoveRange(lost);
            await db.SaveChangesAsync(cancellationToken);
        }

        // One capacity count for the group (it already includes the group's new accounts): when it is short, the last
        // rows without a number are left to the issuer's own check, which fails them with the reason.
        var uncovered = 0;
        if (batch.Kind == BatchKind.ImportAndInvite)
            uncovered = Math.Max(0, -(await db.FreeCapacityAsync(batch.OrganizationId, cancellationToken)).Value);
        var withoutNumber = created.Count(c => c.Row.Outcome != RowOutcome.Failed && c.Row.Number is null);

        foreach (var (row, account) in created)
        {
            if (row.Outcome == RowOutcome.Failed)
                continue;
            row.AccountId = account.Id;
            row.Outcome = RowOutcome.Succeeded;
            row.Reason = null;
            if (batch.Kind != BatchKind.ImportAndInvite)
                continue;
            var covered = row.Number is not null || withoutNumber-- > uncovered;
            var invitation = await invitations.QueueAsync(db, account, new InvitationQueueing(CapacityReserved: covered, NewAccount: true), cancellationToken);
            row.Invitation = invitation.Succeeded ? InvitationState.Queued : InvitationState.Failed;
            if (!invitation.Succeeded)
                row.Reason = $"Imported, but not invited: {invitation.Reason}";
        }
    }

    private static void Fail(BatchRow row, string reason)
    {
        row.Outcome = RowOutcome.Failed;
        row.Reason = reason;
    }
}
