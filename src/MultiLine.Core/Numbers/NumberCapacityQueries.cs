using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>Reads the figures of <see cref="FreeCapacity"/> from the database, with two grouped counts.</summary>
public static class NumberCapacityQueries
{
    /// <summary>The organization's Available numbers and its pending accounts that hold no number (that organization only, not its subtree).</summary>
    public static async Task<FreeCapacity> FreeCapacityAsync(this MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var all = await FreeCapacitiesAsync(db, [organizationId], cancellationToken);
        return all[organizationId];
    }

    public static async Task<IReadOnlyDictionary<int, FreeCapacity>> FreeCapacitiesAsync(this MultiLineDbContext db, IReadOnlyCollection<int> organizationIds, CancellationToken cancellationToken = default)
    {
        var numbers = db.Visible<MultiLineNumber>();
        var accounts = db.Visible<Account>();
        var available = await numbers
            .Where(n => organizationIds.Contains(n.OrganizationId) && n.State == NumberState.Available)
            .GroupBy(n => n.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var pending = AccountStatuses.Pending;
        var waiting = await accounts
            .Where(a => organizationIds.Contains(a.OrganizationId) && pending.Contains(a.Status) && !numbers.Any(n => n.AccountId == a.Id))
            .GroupBy(a => a.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        return organizationIds.ToDictionary(
            id => id,
            id => new FreeCapacity(available.GetValueOrDefault(id), waiting.GetValueOrDefault(id)));
    }
}
