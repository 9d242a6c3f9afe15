using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>
/// Stores a batch that acts on existing accounts (move, resend invitations): one row per selected account, in the
/// order of selection. Accounts are read through the admin's scoped context, so nothing outside the scope is touched.
/// </summary>
public sealed class AccountBatchSubmission(BatchQueue queue, TimeProvider clock)
{
    public async Task<SubmitResult> SubmitMoveAsync(MultiLineDbContext scopedDb, MovePlan plan, string adminName, CancellationToken cancellationToken = default)
    {
        if (!plan.CanMove)
            return SubmitResult.Refused(SubmitRefusal.NotEnoughNumbers, plan.BlockingReason!);
        return await SubmitAsync(scopedDb, BatchKind.Move, plan.Movable.Select(c => c.AccountId).ToList(), plan.DestinationId, adminName, cancellationToken);
    }

    /// <summary>Resend goes to the selected accounts' common organization (the nearest one above all of them).</summary>
    public async Task<SubmitResult> SubmitResendAsync(MultiLineDbContext scopedDb, IReadOnlyList<int> accountIds, string adminName, CancellationToken cancellationToken = default)
    {
        var paths = await scopedDb.Accounts.Where(a => accountIds.Contains(a.Id)).Select(a => a.Organization!.Path).Distinct().ToListAsync(cancellationToken);
        if (paths.Count == 0)
            return SubmitResult.Refused(SubmitRefusal.NothingToImport, "Select at least one account.");
        var common = CommonOrganization(paths);
        if (common is null)
            return SubmitResult.Refused(SubmitRefusal.NothingToImport, "The selected accounts belong to unrelated organizations. Resend to one organization tree at a time.");
        return await SubmitAsync(scopedDb, BatchKind.ResendInvitations, accountIds, common.Value, adminName, cancellationToken);
    }

    private async Task<SubmitResult> SubmitAsync(MultiLineDbContext scopedDb, BatchKind kind, IReadOnlyList<int> accountIds, int organizationId, string adminName, CancellationToken cancellationToken)
    {
        var accounts = await scopedDb.Accounts.AsNoTracking()
            .Where(a => accountIds.Contains(a.Id))
            .Select(a => new { a.Id, a.FirstName, a.LastName, a.Username, Number = a.Number != null ? a.Number.E164 : null })
            .ToDictionaryAsync(a => a.Id, cancellationToken);
        var ordered = accountIds.Distinct().Where(accounts.ContainsKey).Select(id => accounts[id]).ToList();
        if (ordered.Count == 0)
            return SubmitResult.Refused(SubmitRefusal.NothingToImport, "Select at least one account.");

        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new BatchOperation
        {
            Kind = kind,
            AdminId = scopedDb.Scope.AdminId,
            AdminName = adminName,
            OrganizationId = organizationId,
            TotalRows = ordered.Count,
            CreatedAtUtc = now,
        };
        batch.Rows.AddRange(ordered.Select((a, index) => new BatchRow
        {
            RowNumber = index + 1,
            TargetAccountId = a.Id,
            FirstName = a.FirstName,
            LastName = a.LastName,
            Username = a.Username,
            MultiLineNumber = a.Number,
        }));
        scopedDb.Batches.Add(batch);
        await scopedDb.SaveChangesAsync(cancellationToken);
        queue.Enqueue(batch.Id);
        return new SubmitResult(batch.Id, null, null);
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
