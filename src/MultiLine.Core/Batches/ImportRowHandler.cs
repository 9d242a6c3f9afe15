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
/// Set-based: a group's accounts, invitations and emails are written with <see cref="BulkRows"/> (a prepared statement reused per
/// row, or hundreds of statements to a round trip), not one change-tracked entity at a time.
/// </remarks>
public sealed class ImportRowHandler(InvitationIssuer invitations) : IBatchRowHandler
{
    private const int MaxInsertAttempts = 3;

    public bool Handles(BatchKind kind) => kind is BatchKind.Import or BatchKind.ImportAndInvite;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await db.LockCapacityAsync(batch.OrganizationId, cancellationToken);
        var organization = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == batch.OrganizationId, cancellationToken);

        var created = await CreateAccountsAsync(db, batch, organization, rows, nowUtc, cancellationToken);

        // The group's numbers in one conditional statement; a row whose number was taken since the file was checked
        // loses its account again, inside the same transaction.
        var named = created.Where(c => c.Row.MultiLineNumber is not null && !ReservedTagNumbers.IsTag(c.Row.MultiLineNumber)).Select(c => (c.Row.MultiLineNumber!, c.Account.Id)).ToList();
        var taken = await NumberRules.TakeManyAsync(db, named, organization.AncestorIdsAndSelf(), cancellationToken);
        // Rows asking for "tag:X" take any Reserved number with that tag, per tag for the whole group.
        var tagged = created.Where(c => ReservedTagNumbers.IsTag(c.Row.MultiLineNumber)).Select(c => (c.Row.MultiLineNumber![ReservedTagNumbers.Prefix.Length..], c.Account.Id)).ToList();
        var byTag = tagged.Count == 0 ? [] : await ReservedTagNumbers.TakeAsync(db, tagged, organization.AncestorIdsAndSelf(), cancellationToken);
        var lost = new HashSet<int>();
        foreach (var (row, account) in created)
        {
            if (row.MultiLineNumber is not { } e164)
                continue;
            if (ReservedTagNumbers.IsTag(e164))
            {
                if (byTag.TryGetValue(account.Id, out var held))
                    row.Number = held;
                else
                {
                    lost.Add(account.Id);
                    Fail(row, $"No Reserved number with tag {e164[ReservedTagNumbers.Prefix.Length..]} is left; they were taken after the file was checked.");
                }
                continue;
            }
            if (taken.Remove(e164))
            {
                row.Number = e164;
                continue;
            }
            lost.Add(account.Id);
            Fail(row, $"{e164} is no longer available; it was taken after the file was checked.");
        }
        if (lost.Count > 0)
            await db.Accounts.Where(a => lost.Contains(a.Id)).ExecuteDeleteAsync(cancellationToken);

        var kept = created.Where(c => !lost.Contains(c.Account.Id)).ToList();
        // One capacity count for the group, taken with the group's accounts in: the first rows without a number are
        // covered while free capacity lasts; the rest import with the reason they were not invited.
        // Counted only when a row of the group needs it: a row that holds its number is covered without it.
        var waiting = kept.Count(c => c.Row.Number is null);
        var capacity = batch.Kind == BatchKind.ImportAndInvite && waiting > 0 ? await db.FreeCapacityAsync(organization.Id, cancellationToken) : default;
        var withoutNumber = 0;
        var composed = new List<(BatchRow Row, Invitation Invitation)>();
        foreach (var (row, account) in kept)
        {
            row.AccountId = account.Id;
            row.Outcome = RowOutcome.Succeeded;
            row.Reason = null;
            if (batch.Kind != BatchKind.ImportAndInvite)
                continue;
            var covered = row.Number is not null || capacity.Covers(++withoutNumber, alreadyCounted: waiting);
            var invitation = await invitations.ComposeForNewAccountAsync(db, account, organization, row.Number, covered, capacity, cancellationToken);
            row.Invitation = invitation.Succeeded ? InvitationState.Queued : InvitationState.Failed;
            if (invitation.Invitation is { } sent)
                composed.Add((row, sent));
            else
                row.Reason = $"Imported, but not invited: {invitation.Reason}";
        }
        if (batch.Kind != BatchKind.ImportAndInvite)
            return;
        // The row keeps its invitation, so the report follows delivery (Sent, Failed with the reply) afterwards.
        await invitations.AddComposedAsync(db, composed.Select(c => c.Invitation).ToList(), cancellationToken);
        foreach (var (row, invitation) in composed)
            row.InvitationId = invitation.Id;
        await BulkRows.UpdateAsync(db, kept.Select(k => k.Account).ToList(), cancellationToken, a => a.Status, a => a.InvitationError);
    }

    /// <summary>
    /// Adds an account for every row the organization's rules and the usernames still allow, set-based. When another
    /// transaction committed one of the usernames since they were read, the insert is rolled back to its savepoint, the
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

            await transaction.CreateSavepointAsync(nameof(CreateAccountsAsync), cancellationToken);
            try
            {
                await BulkRows.InsertAsync(db, created.Select(c => c.Account).ToList(), cancellationToken);
                return created;
            }
            catch (System.Data.Common.DbException) when (attempt < MaxInsertAttempts)
            {
                await transaction.RollbackToSavepointAsync(nameof(CreateAccountsAsync), cancellationToken);
            }
        }
    }

    private static void Fail(BatchRow row, string reason)
    {
        row.Outcome = RowOutcome.Failed;
        row.Reason = reason;
    }
}
