using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>Reads the figures of <see cref="FreeCapacity"/> from the database.</summary>
public static class NumberCapacityQueries
{
    /// <summary>The organization's Available numbers and its pending accounts that hold no number (that organization only, not its subtree).</summary>
    public static async Task<FreeCapacity> FreeCapacityAsync(this MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var available = await db.Numbers
            .CountAsync(n => n.OrganizationId == organizationId && n.State == NumberState.Available, cancellationToken);
        var pendingWithoutNumber = await db.Accounts
            .CountAsync(a => a.OrganizationId == organizationId && AccountStatuses.Pending.Contains(a.Status) && a.Number == null, cancellationToken);
        return new FreeCapacity(available, pendingWithoutNumber);
    }
}
