using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>
/// Creates the accounts of an import. Applies again what may have changed since the file was checked — the
/// organization's rules, usernames taken, numbers gone, free capacity — as they are when the group runs, and reports
/// each change on its row in the admin's words.
/// </summary>
/// <remarks>
/// Safe on any database: the group first locks the organization's capacity row (<see cref="NumberCapacityQueries.LockCapacityAsync(MultiLineDbContext, int, CancellationToken)"/>),
/// numbers are taken with one conditional update per group (<see cref="NumberRules.TakeManyAsync"/>), and a username another transaction
/// committed meanwhile (the unique index refuses the insert) turns into a failed row, not a failed batch.
/// </remarks>
public sealed class ImportRowHandler(InvitationIssuer invitations) : IBatchRowHandler
{
    private const int MaxInsertAttempts = 3;

    public bool Handles(BatchKind kind) => kind is BatchKind.Import or BatchKind.ImportAndInvite;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await db.LockCapacityAsync(batch.OrganizationId, cancellationToken);
        // Tracked, so the new accounts' Organization is fixed up for the invitation issuer without another read.
        var organization = await db.Organizations.SingleAsync(o => o.Id == batch.OrganizationId, cancellationToken);

        var created = await CreateAccountsAsync(db, batch, organization, rows, nowUtc, cancellationToken);

        // The group's numbers in one conditional statement; a row whose number was taken since the file was checked
        // loses its account again, inside the same transaction.
        var named = created.Where(c => c.Row.MultiLineNumber is not null).Select(c => (c.Row.MultiLineNumber!, c.Account.Id)).ToList();
        var taken = await NumberRules.TakeManyAsync(db, named, organization.AncestorIdsAndSelf(), cancellationToken);
        var lost = new List<Account>();
        foreach (var (row, account) in created)
        {
            if (row.MultiLineNumber is not { } e164)
                continue;
            if (taken.Contains(e164) && !lost.Contains(account))
            {
                row.Number = e164;
                taken.Remove(e164);
                continue;
            }
            lost.Add(account);
            Fail(row, $"{e164} is no longer available; it was taken after the file was checked.");
        }
        if (lost.Count > 0)
        {
            db.Accounts.RemoveRange(lost);
            await db.SaveChangesAsync(cancellationToken);
        }

        var kept = created.Where(c => c.Row.Outcome != RowOutcome.Failed).ToList();
        // One capacity count for the group, taken with the group's accounts in: the first rows without a number are
        // covered while free capacity lasts; the rest import with the reason they were not invited.
        // Counted only when a row of the group needs it: a row that holds its number is covered without it.
        var waiting = kept.Count(c => c.Row.Number is null);
        var capacity = batch.Kind == BatchKind.ImportAndInvite && waiting > 0 ? await db.FreeCapacityAsync(organization.Id, cancellationToken) : default;
        var withoutNumber = 0;
        var queued = new List<(BatchRow Row, Invitation Invitation)>();
        foreach (var (row, account) in kept)
        {
            row.AccountId = account.Id;
            row.Outcome = RowOutcome.Succeeded;
            row.Reason = null;
            if (batch.Kind != BatchKind.ImportAndInvite)
                continue;
            var covered = row.Number is not null || capacity.Covers(++withoutNumber, alreadyCounted: waiting);
            var invitation = await invitations.QueueAsync(db, account, new InvitationQueueing(covered, NewAccount: true, capacity, new HeldNumber(row.Number)), cancellationToken);
            row.Invitation = invitation.Succeeded ? InvitationState.Queued : InvitationState.Failed;
            if (invitation.Invitation is { } sent)
                queued.Add((row, sent));
            else
                row.Reason = $"Imported, but not invited: {invitation.Reason}";
        }
        if (queued.Count > 0)
        {
            // The row keeps its invitation, so the report follows delivery (Sent, Failed with the reply) afterwards.
            await db.SaveChangesAsync(cancellationToken);
            foreach (var (row, invitation) in queued)
                row.InvitationId = invitation.Id;
        }
    }

    /// <summary>
    /// Adds an account for every row the organization's rules and the usernames still allow, in one save. When another
    /// transaction committed one of the usernames since they were read, the save is rolled back to its savepoint, the
    /// usernames are read again and those rows fail with the reason.
    /// </summary>
    private static async Task<List<(BatchRow Row, Account Account)>> CreateAccountsAsync(
        MultiLineDbContext db, BatchOperation batch, Organization organization, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        bool Visible(string path) => path.StartsWith(organization.Path, StringComparison.Ordinal);
        var transaction = db.Database.CurrentTransaction ?? throw new InvalidOperationException("Import rows run inside the batch group's transaction.");
        for (var attempt = 1; ; attempt++)
        {
            var holders = await UsernameHolders.FindAsync(db, rows.Where(r => r.Outcome == RowOutcome.Pending).Select(r => r.NormalizedUsername!), cancellationToken);
            var created = new List<(BatchRow Row, Account Account)>(rows.Count);
            foreach (var row in rows.Where(r => r.Outcome == RowOutcome.Pending))
            {
                if (holders.TryGetValue(row.NormalizedUsername!, out var holder))
                    Fail(row, holder.Message(row.Username!, Visible));
                else if (OrganizationRules.UsernameRefusal(row.Username!, organization) is { } username)
                    Fail(row, $"{username} (The organization's settings changed after the file was checked.)");
                else if (OrganizationRules.SocialMessagingRefusal("Yes", row.SocialMessaging, organization) is { } social)
                    Fail(row, $"social_messaging: {social} (The organization's settings changed after the file was checked.)");
                else
                    created.Add((row, row.ToDraft().ToAccount(batch.OrganizationId, batch.PermissionGroupId!.Value, nowUtc)));
            }
            db.Accounts.AddRange(created.Select(c => c.Account));

            await transaction.CreateSavepointAsync(nameof(CreateAccountsAsync), cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return created;
            }
            catch (DbUpdateException) when (attempt < MaxInsertAttempts)
            {
                await transaction.RollbackToSavepointAsync(nameof(CreateAccountsAsync), cancellationToken);
                foreach (var (_, account) in created)
                    db.Entry(account).State = EntityState.Detached;
            }
        }
    }

    private static void Fail(BatchRow row, string reason)
    {
        row.Outcome = RowOutcome.Failed;
        row.Reason = reason;
    }
}
