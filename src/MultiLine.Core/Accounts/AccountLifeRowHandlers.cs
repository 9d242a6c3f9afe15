using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

/// <summary>
/// Suspend, Unsuspend and Delete as batches: each row is one account's <see cref="AccountLifecycle"/> step, run in the
/// group's transaction with its activity entry (source Batch), so the row's outcome, the change and its record commit
/// together. A state the step refuses (already suspended, not suspended) skips the row with the step's own words.
/// </summary>
public sealed class AccountStatusRowHandler : IBatchRowHandler
{
    public bool Handles(BatchKind kind) => kind is BatchKind.Suspend or BatchKind.Unsuspend or BatchKind.Delete;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var action = BulkAccountAction.Of(batch);
        var actor = BulkAccountAction.ActorOf(batch);
        var ids = rows.Select(r => r.TargetAccountId!.Value).ToArray();
        var numbers = await db.Accounts.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, Number = a.Number != null ? a.Number.E164 : null })
            .ToDictionaryAsync(a => a.Id, a => a.Number, cancellationToken);
        foreach (var row in rows)
        {
            var id = row.TargetAccountId!.Value;
            var result = batch.Kind switch
            {
                BatchKind.Suspend => await AccountLifecycle.ApplySuspendAsync(db, id, actor, nowUtc, cancellationToken),
                BatchKind.Unsuspend => await AccountLifecycle.ApplyUnsuspendAsync(db, id, actor, nowUtc, cancellationToken),
                _ => await AccountLifecycle.ApplyDeleteAsync(db, id, action.Deletion ?? new AccountDeletion(NumberDisposition.Release), actor, nowUtc, cancellationToken),
            };
            row.AccountId = id;
            row.Number = batch.Kind == BatchKind.Delete ? null : numbers.GetValueOrDefault(id);
            (row.Outcome, row.Reason) = AccountRowOutcomes.Of(result, stateRefusalSkips: batch.Kind != BatchKind.Delete);
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>
/// Bulk Edit of the settings columns: one <see cref="AccountSettingsChange"/> for every account of the batch, each row
/// through the single edit's validator and rules (<see cref="AccountLifecycle.ApplyEditAsync"/>) against the account's
/// organization as it is when the row runs. A permission group the account's organization cannot use fails the row.
/// </summary>
public sealed class EditSettingsRowHandler(AccountLifecycle lifecycle) : IBatchRowHandler
{
    public bool Handles(BatchKind kind) => kind == BatchKind.EditSettings;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var settings = BulkAccountAction.Of(batch).Settings ?? new AccountSettingsChange();
        var actor = BulkAccountAction.ActorOf(batch);
        var accounts = await BatchRowTargets.LoadAsync(db, rows, cancellationToken);
        var organizationIds = accounts.Values.Select(a => a.OrganizationId).Distinct().ToArray();
        var organizations = await db.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
        var groupIds = accounts.Values.Select(a => a.PermissionGroupId).Append(settings.PermissionGroupId ?? 0).Distinct().ToArray();
        var groups = await db.PermissionGroups.AsNoTracking().Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, cancellationToken);

        foreach (var row in rows)
        {
            if (!accounts.TryTake(row, out var account))
                continue;
            var organization = organizations[account.OrganizationId];
            if (!groups.TryGetValue(settings.PermissionGroupId ?? account.PermissionGroupId, out var group))
            {
                (row.Outcome, row.Reason) = (RowOutcome.Failed, "That User Permissions group no longer exists.");
                continue;
            }
            if (!organization.AncestorIdsAndSelf().Contains(group.OrganizationId))
            {
                (row.Outcome, row.Reason) = (RowOutcome.Failed, $"User Permissions \"{group.Name}\" is not available to {organization.Name}.");
                continue;
            }
            var result = await lifecycle.ApplyEditAsync(db, account.Id, organization, group, settings.ApplyTo(AccountInputs.Of(account)),
                _ => false, actor, nowUtc, cancellationToken);
            (row.Outcome, row.Reason) = AccountRowOutcomes.Of(result, stateRefusalSkips: false);
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>A lifecycle step's result as a batch row's outcome and reason.</summary>
internal static class AccountRowOutcomes
{
    public static (RowOutcome Outcome, string Reason) Of(AccountChangeResult result, bool stateRefusalSkips) => result.Status switch
    {
        AccountChangeStatus.Done => (RowOutcome.Succeeded, result.Message),
        AccountChangeStatus.Unchanged => (RowOutcome.Skipped, "Nothing changed: the account already has these settings."),
        AccountChangeStatus.NotFound => (RowOutcome.Failed, BatchRowTargets.Gone),
        AccountChangeStatus.Refused when stateRefusalSkips && result.Message != AccountLifecycle.ChangedMeanwhile => (RowOutcome.Skipped, result.Message),
        _ => (RowOutcome.Failed, result.Message),
    };
}
