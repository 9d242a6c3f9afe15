using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>
/// What undoing an import would do now, for the confirmation: the accounts deleted, the numbers back to Available and
/// the invitation links revoked; or why it cannot be undone (<see cref="Refusal"/>, in the admin's words).
/// </summary>
public sealed record UndoPlan(
    int BatchId, SubmitRefusal? RefusedAs, string? Refusal, int AccountsToDelete, int NumbersToRelease, int InvitationsToRevoke,
    int AccountsToSkip, int ActivatedAccounts, int? UndoneByBatchId)
{
    public bool CanUndo => Refusal is null;

    /// <summary>The confirmation's sentence: what will happen, and what will be left as it is.</summary>
    public string Describe() =>
        $"{Words.Count(AccountsToDelete, "account")} will be deleted, {Words.Count(NumbersToRelease, "number")} will be back to Available "
        + $"and {Words.Count(InvitationsToRevoke, "invitation")} will be revoked (the activation links stop working)."
        + (AccountsToSkip > 0 ? $" {Words.Count(AccountsToSkip, "account")} no longer waiting to activate in this organization will be skipped." : "");
}

/// <summary>
/// Undoing an import (<see cref="BatchKind.Import"/> or <see cref="BatchKind.ImportAndInvite"/>): a batch of its own
/// (<see cref="BatchKind.UndoImport"/>) with one row per account the import created, which deletes the account, releases
/// its number and revokes its invitations (<see cref="UndoImportRowHandler"/>). Offered only for a finished import none
/// of whose accounts has activated, and only once: the undo batch names the import (<see cref="BatchOperation.UndoOfBatchId"/>,
/// a unique index). The rules are checked when the admin opens the confirmation, again in the transaction that stores
/// the batch, and per row as the worker deletes (an account that activated meanwhile is skipped, never half-deleted).
/// </summary>
public sealed class ImportUndo(BatchQueue queue, IDatabaseEngine engine, TimeProvider clock)
{
    public const string NotFound = "That batch does not exist or is outside your scope.";
    public const string NotAllowed = "Undoing an import needs the Accounts Bulk Operations privilege.";
    public const string NotAnImport = "Only a CSV import can be undone.";
    public const string StillRunning = "The import is still running: wait until it finishes or cancel it, then undo it.";
    public const string NothingToUndo = "Nothing to undo: none of the accounts this import created is still waiting to activate.";

    public static string AlreadyUndone(int undoBatchId) => $"This import was already undone by batch {undoBatchId}; an import can be undone once.";

    public static string Activated(int count) =>
        $"This import cannot be undone: {Words.Count(count, "account")} {Words.Has(count)} activated since. Delete the other accounts from the Accounts page instead.";

    /// <summary>The reason a row's account is left as it is; null when the undo deletes it.</summary>
    public static string? SkipReason(AccountStatus status, AccountStatus? beforeSuspension, string username, bool inOrganization) =>
        IsActivated(status, beforeSuspension) ? $"{username} has activated since the import; an active account is never deleted by an undo."
        : status == AccountStatus.Suspended ? $"{username} is suspended; unsuspend or delete it on its own."
        : !inOrganization ? $"{username} has moved to another organization since the import; it is left as it is."
        : null;

    /// <summary>Activated: active now, or suspended after it had activated.</summary>
    public static bool IsActivated(AccountStatus status, AccountStatus? beforeSuspension) =>
        status == AccountStatus.Active || (status == AccountStatus.Suspended && beforeSuspension == AccountStatus.Active);

    /// <summary>What undoing <paramref name="batchId"/> would do now, read through the admin's scoped context.</summary>
    public async Task<UndoPlan> PlanAsync(MultiLineDbContext scopedDb, int batchId, CancellationToken cancellationToken = default)
    {
        var batch = await scopedDb.Batches.AsNoTracking().Where(b => b.Id == batchId)
            .Select(b => new { b.Kind, b.State, b.Organization!.Path }).FirstOrDefaultAsync(cancellationToken);
        if (batch is null)
            return Refused(batchId, SubmitRefusal.NotFound, NotFound);
        var undoneBy = await UndoneByAsync(scopedDb, batchId, cancellationToken);
        if (batch.Kind is not (BatchKind.Import or BatchKind.ImportAndInvite))
            return Refused(batchId, SubmitRefusal.Conflict, NotAnImport);
        if (undoneBy is { } undo)
            return Refused(batchId, SubmitRefusal.Conflict, AlreadyUndone(undo), undoneBy);
        if (!BatchStates.IsFinished(batch.State))
            return Refused(batchId, SubmitRefusal.Conflict, StillRunning);

        var path = batch.Path;
        var now = clock.GetUtcNow().UtcDateTime;
        var accounts = Created(scopedDb, batchId);
        var states = await accounts
            .Select(a => new
            {
                a.Status, a.StatusBeforeSuspension,
                InOrganization = a.Organization!.Path.StartsWith(path),
                HasNumber = a.Number != null,
                LiveInvitations = scopedDb.Invitations.Count(i => i.AccountId == a.Id && i.UsedAtUtc == null && i.RevokedAtUtc == null && i.ExpiresAtUtc > now),
            })
            .ToListAsync(cancellationToken);
        var rows = await scopedDb.BatchRows.CountAsync(r => r.BatchOperationId == batchId && r.AccountId != null && r.Outcome == RowOutcome.Succeeded, cancellationToken);
        var deletable = states.Where(s => AccountStatuses.IsPending(s.Status) && s.InOrganization).ToList();
        var activated = states.Count(s => IsActivated(s.Status, s.StatusBeforeSuspension));
        var plan = new UndoPlan(batchId, null, null, deletable.Count, deletable.Count(s => s.HasNumber), deletable.Sum(s => s.LiveInvitations),
            rows - deletable.Count, activated, null);
        if (activated > 0)
            return plan with { RefusedAs = SubmitRefusal.Conflict, Refusal = Activated(activated) };
        if (deletable.Count == 0)
            return plan with { RefusedAs = SubmitRefusal.Conflict, Refusal = NothingToUndo };
        if (!scopedDb.Scope.Has(Privileges.AccountsBulkOperations))
            return plan with { RefusedAs = SubmitRefusal.NotAllowed, Refusal = NotAllowed };
        return plan;
    }

    /// <summary>
    /// Stores the undo batch: one pending row per account the import created, in the import's row order. Checked again
    /// in the transaction that stores it; a second undo (even at the same moment) is refused by the unique index.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(MultiLineDbContext scopedDb, int batchId, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (!scopedDb.Scope.Has(Privileges.AccountsBulkOperations))
            return await scopedDb.Batches.AnyAsync(b => b.Id == batchId, cancellationToken)
                ? SubmitResult.Refused(SubmitRefusal.NotAllowed, NotAllowed)
                : SubmitResult.Refused(SubmitRefusal.NotFound, NotFound);

        await using var transaction = await scopedDb.Database.BeginTransactionAsync(cancellationToken);
        var plan = await PlanAsync(scopedDb, batchId, cancellationToken);
        if (!plan.CanUndo)
            return SubmitResult.Refused(plan.RefusedAs!.Value, plan.Refusal!);

        var original = await scopedDb.Batches.AsNoTracking().Where(b => b.Id == batchId)
            .Select(b => new { b.OrganizationId, b.FileName, Organization = b.Organization!.Name }).SingleAsync(cancellationToken);
        var batch = new BatchOperation
        {
            Kind = BatchKind.UndoImport,
            AdminId = scopedDb.Scope.AdminId,
            AdminName = actor.BatchAdminName,
            OrganizationId = original.OrganizationId,
            FileName = original.FileName,
            UndoOfBatchId = batchId,
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        scopedDb.Batches.Add(batch);
        try
        {
            await scopedDb.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another admin's undo of the same import committed first: the unique index has the last word. Any other
            // failure is not "already undone": it is asked of the database, and what it cannot explain goes on up.
            await transaction.RollbackAsync(cancellationToken);
            scopedDb.ChangeTracker.Clear();
            if (await UndoneByAsync(scopedDb, batchId, cancellationToken) is { } undoneBy)
                return SubmitResult.Refused(SubmitRefusal.Conflict, AlreadyUndone(undoneBy));
            throw;
        }

        var rows = await scopedDb.BatchRows.AsNoTracking()
            .Where(r => r.BatchOperationId == batchId && r.AccountId != null && r.Outcome == RowOutcome.Succeeded)
            .OrderBy(r => r.RowNumber)
            .Select(r => new { r.RowNumber, r.AccountId, r.FirstName, r.LastName, r.Username })
            .ToListAsync(cancellationToken);
        // No number: the account may hold another one by now. The worker records on each row the number it released.
        await engine.InsertBatchRowsAsync(scopedDb, batch.Id, rows.Select(r => new BatchRow
        {
            // The import's own row numbers, so the undo's report lines up with the file the admin uploaded.
            RowNumber = r.RowNumber,
            TargetAccountId = r.AccountId,
            FirstName = r.FirstName,
            LastName = r.LastName,
            Username = r.Username,
        }), cancellationToken);
        batch.TotalRows = rows.Count;
        ActivityLog.RecordBatch(scopedDb, actor, batch.CreatedAtUtc, ActivityActions.BatchUndo, batch,
            $"Undo of batch #{batchId} in {original.Organization}: {plan.Describe()}");
        await scopedDb.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        queue.Enqueue(batch.Id);
        return new SubmitResult(batch.Id, null, null);
    }

    /// <summary>The undo batch of <paramref name="batchId"/>, when it has one.</summary>
    public static Task<int?> UndoneByAsync(MultiLineDbContext db, int batchId, CancellationToken cancellationToken = default) =>
        db.Batches.Where(b => b.UndoOfBatchId == batchId).Select(b => (int?)b.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The accounts the import created that still exist (in the context's scope).</summary>
    private static IQueryable<Account> Created(MultiLineDbContext db, int batchId) =>
        db.Accounts.Where(a => db.BatchRows.Any(r => r.BatchOperationId == batchId && r.Outcome == RowOutcome.Succeeded && r.AccountId == a.Id));

    private static UndoPlan Refused(int batchId, SubmitRefusal refusal, string message, int? undoneBy = null) =>
        new(batchId, refusal, message, 0, 0, 0, 0, 0, undoneBy);
}

/// <summary>
/// One row of an undo: deletes the account the import created through the single Delete's step
/// (<see cref="AccountLifecycle.ApplyDeleteAsync"/>, number released to Available, queued emails withdrawn, invitations
/// gone with the account so their links say "not valid"), only while it is still pending and in the import's
/// organization subtree. Otherwise the row is skipped with the reason and nothing is changed.
/// </summary>
/// <remarks>
/// An activation claims the invitation first and then changes the account. The row takes the same locks in the same
/// order (the account's invitations, then the account, both by a conditional no-op update) before it decides, so on an
/// engine with row locks an activation in flight either finishes first (the row sees an active account and skips it) or
/// waits and then finds its link gone. Under SQLite's single writer the group's transaction already excludes it.
/// </remarks>
public sealed class UndoImportRowHandler : IBatchRowHandler
{
    public bool Handles(BatchKind kind) => kind == BatchKind.UndoImport;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var actor = BulkAccountAction.ActorOf(batch);
        var path = await db.Organizations.Where(o => o.Id == batch.OrganizationId).Select(o => o.Path).SingleAsync(cancellationToken);
        var subtree = await db.Organizations.Where(o => o.Path.StartsWith(path)).Select(o => o.Id).ToListAsync(cancellationToken);
        var pending = AccountStatuses.Pending;
        foreach (var row in rows)
        {
            var id = row.TargetAccountId!.Value;
            row.AccountId = id;
            await db.Invitations.Where(i => i.AccountId == id)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.RevokedAtUtc, i => i.RevokedAtUtc), cancellationToken);
            var deletable = await db.Accounts.Where(a => a.Id == id && pending.Contains(a.Status) && subtree.Contains(a.OrganizationId))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, a => a.Status), cancellationToken);
            if (deletable != 1)
            {
                var account = await db.Accounts.AsNoTracking().Where(a => a.Id == id)
                    .Select(a => new { a.Status, a.StatusBeforeSuspension, a.Username, a.OrganizationId, Number = a.Number != null ? a.Number.E164 : null })
                    .FirstOrDefaultAsync(cancellationToken);
                // A skipped account keeps its number: the row shows the one it holds.
                row.Number = account?.Number;
                (row.Outcome, row.Reason) = (RowOutcome.Skipped, account is null
                    ? "The account no longer exists: it was deleted after the import."
                    : ImportUndo.SkipReason(account.Status, account.StatusBeforeSuspension, account.Username, subtree.Contains(account.OrganizationId))
                      ?? AccountLifecycle.ChangedMeanwhile);
                continue;
            }
            var links = await db.Invitations.CountAsync(i => i.AccountId == id && i.UsedAtUtc == null && i.RevokedAtUtc == null && i.ExpiresAtUtc > nowUtc, cancellationToken);
            var result = await AccountLifecycle.ApplyDeleteAsync(db, id, new AccountDeletion(NumberDisposition.Release), actor, nowUtc, cancellationToken);
            (row.Outcome, row.Reason) = result.Status == AccountChangeStatus.Done
                ? (RowOutcome.Succeeded, result.Message + (links > 0 ? " Its invitation is revoked: the activation link no longer works." : ""))
                : (RowOutcome.Skipped, result.Message);
            // The number the delete released (the account's at that moment, not the import's), for the report and live view.
            row.Number = result.Number;
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
