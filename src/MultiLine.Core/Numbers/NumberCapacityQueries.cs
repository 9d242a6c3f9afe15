using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>Reads the figures of <see cref="FreeCapacity"/> from the database, and serializes the units of work that spend it.</summary>
public static class NumberCapacityQueries
{
    /// <summary>The organization's Available numbers and its pending accounts that hold no number (that organization only, not its subtree).</summary>
    public static async Task<FreeCapacity> FreeCapacityAsync(this MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var all = await FreeCapacitiesAsync(db, [organizationId], cancellationToken);
        return all[organizationId];
    }

    /// <summary>
    /// Both figures of each organization in one query, each a range count of one index: Numbers by
    /// (organization, state, holder) and Accounts by (organization, status, <see cref="Account.HoldsNumber"/>), the flag the
    /// database keeps. Organizations outside the context's scope count as zero.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, FreeCapacity>> FreeCapacitiesAsync(this MultiLineDbContext db, IReadOnlyCollection<int> organizationIds, CancellationToken cancellationToken = default)
    {
        var numbers = db.Visible<MultiLineNumber>();
        var accounts = db.Visible<Account>();
        var pending = AccountStatuses.Pending;
        // Compared with a parameter on purpose: EF writes the literal as NOT "HoldsNumber", which SQLite cannot seek in the index.
        var holdsNone = false;
        var counts = await db.Visible<Organization>()
            .Where(o => organizationIds.Contains(o.Id))
            .Select(o => new
            {
                o.Id,
                Available = numbers.Count(n => n.OrganizationId == o.Id && n.State == NumberState.Available && n.AccountId == null),
                Waiting = accounts.Count(a => a.OrganizationId == o.Id && pending.Contains(a.Status) && a.HoldsNumber == holdsNone),
            })
            .ToDictionaryAsync(x => x.Id, x => new FreeCapacity(x.Available, x.Waiting), cancellationToken);
        return organizationIds.ToDictionary(id => id, id => counts.GetValueOrDefault(id));
    }

    /// <summary>
    /// Locks the organizations' rows for the rest of the caller's transaction, lowest id first (so two callers never
    /// wait on each other in a circle), by bumping <c>CapacityVersion</c>. Every unit of work that checks capacity and then
    /// spends it (import groups, moves, resends, the single-account form) calls this before reading capacity, so on a
    /// database with row locks the read-then-write runs one transaction at a time per organization; on SQLite the first
    /// write also takes the database's write lock at once.
    /// </summary>
    public static async Task LockCapacityAsync(this MultiLineDbContext db, IEnumerable<int> organizationIds, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Capacity is locked inside a transaction; begin one first.");
        foreach (var id in organizationIds.Distinct().Order())
            await db.Organizations.Where(o => o.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.CapacityVersion, o => o.CapacityVersion + 1), cancellationToken);
    }

    public static Task LockCapacityAsync(this MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default) =>
        db.LockCapacityAsync([organizationId], cancellationToken);
}
