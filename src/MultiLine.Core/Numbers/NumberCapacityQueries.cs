using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>Reads the figures behind <see cref="FreeCapacity"/> with two set-based counts.</summary>
public static class NumberCapacityQueries
{
    public static async Task<FreeCapacity> FreeCapacityAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var all = await FreeCapacitiesAsync(db, [organizationId], cancellationToken);
        return all.GetValueOrDefault(organizationId);
    }

    public static async Task<IReadOnlyDictionary<int, FreeCapacity>> FreeCapacitiesAsync(MultiLineDbContext db, IReadOnlyCollection<int> organizationIds, CancellationToken cancellationToken = default)
    {
        var available = await db.Numbers
            .Where(n => organizationIds.Contains(n.OrganizationId) && n.State == NumberState.Available)
            .GroupBy(n => n.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var pending = AccountStatuses.Pending;
        var waiting = await db.Accounts
            .Where(a => organizationIds.Contains(a.OrganizationId) && pending.Contains(a.Status) && a.Number == null)
            .GroupBy(a => a.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        return organizationIds.ToDictionary(
            id => id,
            id => new FreeCapacity(available.GetValueOrDefault(id), waiting.GetValueOrDefault(id)));
    }
}
