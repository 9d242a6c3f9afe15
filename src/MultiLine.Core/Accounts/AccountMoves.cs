using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

/// <summary>An account the admin selected and whether it can move.</summary>
public sealed record MoveCandidate(int AccountId, string Username, string Name, string Organization, AccountStatus Status, string? NotMovableReason)
{
    public bool Movable => NotMovableReason is null;
}

/// <summary>What a move would do, shown before the admin confirms; the same checks guard the commit and the API.</summary>
public sealed record MovePlan(
    int DestinationId, string Destination, IReadOnlyList<MoveCandidate> Candidates, FreeCapacity DestinationCapacity, string? DefaultPermissionGroup)
{
    public const string NotEnoughNumbers = "Unable to move account(s). You do not have enough numbers available in the selected organization";

    public IReadOnlyList<MoveCandidate> Movable => Candidates.Where(c => c.Movable).ToList();
    public IReadOnlyList<MoveCandidate> NotMovable => Candidates.Where(c => !c.Movable).ToList();

    /// <summary>Every moved account needs a number in the destination, since it gives up the one it holds.</summary>
    public bool HasCapacity => DestinationCapacity.Value >= Movable.Count;

    public string? BlockingReason =>
        Movable.Count == 0 ? "None of the selected accounts can move: only pending accounts of other organizations move."
        : DefaultPermissionGroup is null ? $"{Destination} has no default User Permissions group to give the moved accounts."
        : !HasCapacity ? NotEnoughNumbers
        : null;

    public bool CanMove => BlockingReason is null;
}

/// <summary>Plans and runs moves of pending accounts between organizations.</summary>
public static class AccountMoves
{
    /// <summary>Reads the selection and the destination through the admin's scoped context.</summary>
    public static async Task<MovePlan?> PlanAsync(MultiLineDbContext db, IReadOnlyCollection<int> accountIds, int destinationId, CancellationToken cancellationToken = default)
    {
        var destination = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == destinationId, cancellationToken);
        if (destination is null)
            return null;
        var accounts = await db.Accounts.AsNoTracking()
            .Where(a => accountIds.Contains(a.Id))
            .Select(a => new { a.Id, a.Username, a.FirstName, a.LastName, a.OrganizationId, Organization = a.Organization!.Name, a.Status })
            .ToListAsync(cancellationToken);
        var candidates = accounts.OrderBy(a => a.Username).Select(a => new MoveCandidate(
            a.Id, a.Username, $"{a.FirstName} {a.LastName}".Trim(), a.Organization, a.Status,
            !AccountStatuses.IsPending(a.Status) ? $"is {AccountStatuses.Label(a.Status).ToLowerInvariant()}; only pending accounts move."
            : a.OrganizationId == destinationId ? $"is already in {destination.Name}."
            : null)).ToList();
        var capacity = await db.FreeCapacityAsync(destinationId, cancellationToken);
        var groups = await db.PermissionGroups.AsNoTracking().UsableBy(destination).ToListAsync(cancellationToken);
        var defaultGroup = PermissionGroupInheritance.DefaultFor(destination, groups);
        return new MovePlan(destination.Id, destination.Name, candidates, capacity, defaultGroup?.Name);
    }
}

/// <summary>
/// Moves one pending account per row: releases the number it held in the source organization, and gives it the
/// destination's default permission group. Re-checks the account's status and the destination's capacity per row.
/// </summary>
public sealed class MoveRowHandler : IBatchRowHandler
{
    public bool Handles(BatchKind kind) => kind == BatchKind.Move;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var destination = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == batch.OrganizationId, cancellationToken);
        var groups = await db.PermissionGroups.AsNoTracking().UsableBy(destination).ToListAsync(cancellationToken);
        var defaultGroup = PermissionGroupInheritance.DefaultFor(destination, groups);
        var ids = rows.Select(r => r.TargetAccountId!.Value).ToArray();
        var accounts = await db.Accounts.Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);

        foreach (var row in rows)
        {
            if (!accounts.TryGetValue(row.TargetAccountId!.Value, out var account))
            {
                Finish(row, RowOutcome.Failed, "The account no longer exists.");
                continue;
            }
            if (!AccountStatuses.IsPending(account.Status))
            {
                Finish(row, RowOutcome.Skipped, $"The account is {AccountStatuses.Label(account.Status).ToLowerInvariant()}; only pending accounts move.");
                continue;
            }
            if (account.OrganizationId == destination.Id)
            {
                Finish(row, RowOutcome.Skipped, $"The account is already in {destination.Name}.");
                continue;
            }
            if (defaultGroup is null)
            {
                Finish(row, RowOutcome.Failed, $"{destination.Name} has no default User Permissions group.");
                continue;
            }

            // The account gives up its number, so it needs one of the destination's: its capacity must allow one more.
            var capacity = await db.FreeCapacityAsync(destination.Id, cancellationToken);
            if (capacity.Value < 1)
            {
                Finish(row, RowOutcome.Failed, MovePlan.NotEnoughNumbers + ".");
                continue;
            }

            var released = await db.Numbers
                .Where(n => n.AccountId == account.Id)
                .Select(n => n.E164)
                .FirstOrDefaultAsync(cancellationToken);
            await db.Numbers
                .Where(n => n.AccountId == account.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Available).SetProperty(n => n.AccountId, (int?)null), cancellationToken);
            account.OrganizationId = destination.Id;
            account.PermissionGroupId = defaultGroup.Id;
            await db.SaveChangesAsync(cancellationToken);
            row.AccountId = account.Id;
            Finish(row, RowOutcome.Succeeded, released is null
                ? $"Moved to {destination.Name} with User Permissions \"{defaultGroup.Name}\"."
                : $"Moved to {destination.Name} with User Permissions \"{defaultGroup.Name}\"; {released} went back to Available.");
        }
    }

    private static void Finish(BatchRow row, RowOutcome outcome, string reason)
    {
        row.Outcome = outcome;
        row.Reason = reason;
    }
}
