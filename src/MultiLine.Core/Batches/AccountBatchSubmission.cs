using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>
/// Stores a batch that acts on existing accounts (move, resend invitations, suspend, unsuspend, delete, edit settings):
/// one row per selected account. Accounts are read through the admin's scoped context, so nothing outside the scope is
/// touched. A selection by filter is evaluated again here, in the transaction that stores the batch: the rows are the
/// accounts that match when the admin confirms, streamed into the batch a chunk at a time through the engine's bulk
/// path (<see cref="IDatabaseEngine.InsertBatchRowsAsync"/>), never loaded as entities.
/// </summary>
public sealed class AccountBatchSubmission(BatchQueue queue, IDatabaseEngine engine, TimeProvider clock)
{
    public const string NothingSelected = "Select at least one account.";
    public const string NothingMatches = "No account matches the filter now. Change the filter and try again.";
    public const string NotAllowed = "Bulk actions need the Accounts Bulk Operations privilege.";
    public const string UnrelatedOrganizations = "The selected accounts belong to unrelated organizations. Act on one organization tree at a time.";

    /// <summary>Accounts read per round trip while a filter's rows are streamed into the batch.</summary>
    internal const int ChunkSize = 5_000;

    public async Task<SubmitResult> SubmitMoveAsync(MultiLineDbContext scopedDb, MovePlan plan, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (!plan.CanMove)
            return SubmitResult.Refused(SubmitRefusal.NotEnoughNumbers, plan.BlockingReason!);
        return await SubmitAsync(scopedDb, BulkAccountAction.Move(plan.DestinationId), AccountSelection.Ticked(plan.Movable.Select(c => c.AccountId).ToList()), actor, cancellationToken);
    }

    /// <summary>Resend goes to the selected accounts' common organization (the nearest one above all of them).</summary>
    public Task<SubmitResult> SubmitResendAsync(MultiLineDbContext scopedDb, IReadOnlyList<int> accountIds, ActivityActor actor, CancellationToken cancellationToken = default) =>
        SubmitAsync(scopedDb, BulkAccountAction.Resend(), AccountSelection.Ticked(accountIds), actor, cancellationToken);

    /// <summary>
    /// Stores <paramref name="action"/> as a batch over <paramref name="selection"/>. The batch belongs to the selection's
    /// common organization (a move: the destination). Needs the <see cref="Privileges.AccountsBulkOperations"/> privilege.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(MultiLineDbContext scopedDb, BulkAccountAction action, AccountSelection selection, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (!scopedDb.Scope.Has(Privileges.AccountsBulkOperations))
            return SubmitResult.Refused(SubmitRefusal.NotAllowed, NotAllowed);
        if (!BulkAccountAction.ActsOnAccounts(action.Kind))
            throw new ArgumentException($"{action.Kind} batches do not act on existing accounts.", nameof(action));
        if (await CheckActionAsync(scopedDb, action, cancellationToken) is { } refused)
            return refused;

        await using var transaction = await scopedDb.Database.BeginTransactionAsync(cancellationToken);
        var accounts = selection.Query(scopedDb);
        int organizationId;
        if (action.Kind == BatchKind.Move)
        {
            organizationId = action.DestinationId!.Value;
            if (selection.IsFilter && await CheckMoveAsync(scopedDb, accounts, organizationId, cancellationToken) is { } moveRefused)
                return moveRefused;
        }
        else
        {
            var paths = await accounts.Select(a => a.Organization!.Path).Distinct().ToListAsync(cancellationToken);
            if (paths.Count == 0)
                return SubmitResult.Refused(SubmitRefusal.NothingToImport, selection.IsFilter ? NothingMatches : NothingSelected);
            if (CommonOrganization(paths) is not { } common)
                return SubmitResult.Refused(SubmitRefusal.NothingToImport, UnrelatedOrganizations);
            organizationId = common;
        }

        var batch = new BatchOperation
        {
            Kind = action.Kind,
            AdminId = scopedDb.Scope.AdminId,
            AdminName = actor.BatchAdminName,
            OrganizationId = organizationId,
            Options = action.ToOptions(),
            // A bulk edit's group, so the batch's page and list name it as an import's does.
            PermissionGroupId = action.Settings?.PermissionGroupId,
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        scopedDb.Batches.Add(batch);
        await scopedDb.SaveChangesAsync(cancellationToken);

        var rows = selection.IsFilter
            ? await InsertMatchingAsync(scopedDb, batch.Id, accounts, cancellationToken)
            : await InsertTickedAsync(scopedDb, batch.Id, accounts, selection.AccountIds!, cancellationToken);
        if (rows == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return SubmitResult.Refused(SubmitRefusal.NothingToImport, selection.IsFilter ? NothingMatches : NothingSelected);
        }
        batch.TotalRows = rows;
        var organization = await scopedDb.Organizations.Where(o => o.Id == organizationId).Select(o => o.Name).FirstAsync(cancellationToken);
        ActivityLog.RecordBatch(scopedDb, actor, batch.CreatedAtUtc, action.Kind switch
        {
            BatchKind.Move => ActivityActions.MoveSubmit,
            BatchKind.ResendInvitations => ActivityActions.ResendSubmit,
            _ => ActivityActions.BulkSubmit,
        }, batch, $"{BatchStates.Label(action.Kind)}: {Common.Words.Count(rows, "account")}{(action.Kind == BatchKind.Move ? " to " : " in ")}{organization}" +
            (selection.IsFilter ? " (all matching the filter)" : ""));
        await scopedDb.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        queue.Enqueue(batch.Id);
        return new SubmitResult(batch.Id, null, null);
    }

    /// <summary>The ticked accounts still in scope, in the order they were ticked.</summary>
    private async Task<int> InsertTickedAsync(MultiLineDbContext db, int batchId, IQueryable<Account> accounts, IReadOnlyList<int> ticked, CancellationToken cancellationToken)
    {
        var found = await accounts.Select(Row).ToDictionaryAsync(a => a.Id, cancellationToken);
        var ordered = ticked.Distinct().Where(found.ContainsKey).Select(id => found[id]).ToList();
        await engine.InsertBatchRowsAsync(db, batchId, ordered.Select((a, index) => a.ToRow(index + 1)), cancellationToken);
        return ordered.Count;
    }

    /// <summary>Every account the filter matches now, by id, a chunk at a time (keyset paging, so each chunk is an index seek).</summary>
    private async Task<int> InsertMatchingAsync(MultiLineDbContext db, int batchId, IQueryable<Account> accounts, CancellationToken cancellationToken)
    {
        var count = 0;
        var after = 0;
        while (true)
        {
            var last = after;
            var chunk = await accounts.Where(a => a.Id > last).OrderBy(a => a.Id).Take(ChunkSize).Select(Row).ToListAsync(cancellationToken);
            if (chunk.Count == 0)
                return count;
            var first = count;
            await engine.InsertBatchRowsAsync(db, batchId, chunk.Select((a, index) => a.ToRow(first + index + 1)), cancellationToken);
            count += chunk.Count;
            after = chunk[^1].Id;
        }
    }

    private static readonly System.Linq.Expressions.Expression<Func<Account, Selected>> Row =
        a => new Selected(a.Id, a.FirstName, a.LastName, a.Username, a.Number != null ? a.Number.E164 : null);

    private sealed record Selected(int Id, string? FirstName, string? LastName, string Username, string? Number)
    {
        public BatchRow ToRow(int rowNumber) => new()
        {
            RowNumber = rowNumber,
            TargetAccountId = Id,
            FirstName = FirstName,
            LastName = LastName,
            Username = Username,
            MultiLineNumber = Number,
        };
    }

    /// <summary>What the action needs beyond the selection, checked before anything is stored.</summary>
    private static async Task<SubmitResult?> CheckActionAsync(MultiLineDbContext scopedDb, BulkAccountAction action, CancellationToken cancellationToken)
    {
        switch (action.Kind)
        {
            case BatchKind.Move when action.DestinationId is not { } destination
                || !await scopedDb.Organizations.AnyAsync(o => o.Id == destination, cancellationToken):
                return SubmitResult.Refused(SubmitRefusal.NotFound, "Choose a destination organization in your scope.");
            case BatchKind.Delete when action.Deletion is null:
                return SubmitResult.Refused(SubmitRefusal.InvalidRows, "Choose what becomes of the accounts' numbers: release them or keep them Reserved with a tag.");
            case BatchKind.Delete when action.Deletion.Number == NumberDisposition.Reserve && !NumberRules.TryNormalizeTag(action.Deletion.Tag, out _, out var tagError):
                return SubmitResult.Refused(SubmitRefusal.InvalidRows, tagError!);
            case BatchKind.EditSettings when action.Settings is null || action.Settings.IsEmpty():
                return SubmitResult.Refused(SubmitRefusal.InvalidRows, "Choose at least one setting to change.");
            case BatchKind.EditSettings when action.Settings.PermissionGroupId is { } group
                && !await scopedDb.PermissionGroups.AnyAsync(g => g.Id == group, cancellationToken):
                return SubmitResult.Refused(SubmitRefusal.NotFound, "That User Permissions group does not exist or is outside your scope.");
            default:
                return null;
        }
    }

    /// <summary>
    /// A move of every matching account: the same blocking reasons as the dialog's plan (<see cref="MovePlan.BlockingReason"/>),
    /// counted rather than listed; each row then applies the destination's rules (<see cref="AccountMoves.Apply"/>).
    /// </summary>
    private static async Task<SubmitResult?> CheckMoveAsync(MultiLineDbContext scopedDb, IQueryable<Account> accounts, int destinationId, CancellationToken cancellationToken)
    {
        var destination = await scopedDb.Organizations.AsNoTracking().SingleAsync(o => o.Id == destinationId, cancellationToken);
        var pending = AccountStatuses.Pending.ToArray();
        var movers = await accounts.CountAsync(a => a.OrganizationId != destinationId && pending.Contains(a.Status), cancellationToken);
        if (movers == 0)
            return SubmitResult.Refused(SubmitRefusal.NothingToImport, "None of the matching accounts can move: only pending accounts of other organizations move.");
        if (await AccountMoves.DefaultGroupAsync(scopedDb, destination, cancellationToken) is null)
            return SubmitResult.Refused(SubmitRefusal.InvalidRows, $"{destination.Name} has no default User Permissions group to give the moved accounts.");
        var capacity = await scopedDb.FreeCapacityAsync(destinationId, cancellationToken);
        return capacity.Covers(movers) ? null : SubmitResult.Refused(SubmitRefusal.NotEnoughNumbers, MovePlan.NotEnoughNumbers);
    }

    /// <summary>The deepest organization on every path, or null when the paths share no root.</summary>
    internal static int? CommonOrganization(IReadOnlyList<string> paths)
    {
        var split = paths.Select(Organizations.Organization.IdsOnPath).ToList();
        int? common = null;
        for (var depth = 0; split.All(p => p.Count > depth) && split.All(p => p[depth] == split[0][depth]); depth++)
            common = split[0][depth];
        return common;
    }
}
