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
        // An unscoped context has no filter to apply; skipping the filter joins keeps this count an index seek.
        var numbers = db.ScopePath is null ? db.Numbers.IgnoreQueryFilters() : db.Numbers;
        var accounts = db.ScopePath is null ? db.Accounts.IgnoreQueryFilters() : db.Accounts;
        var available = await numbers
            .CountAsync(n => n.OrganizationId == organizationId && n.State == NumberState.Available, cancellationToken);
        var pendingWithoutNumber = await accounts
            .CountAsync(a => a.OrganizationId == organizationId && AccountStatuses.Pending.Contains(a.Status)
                && !numbers.Any(n => n.AccountId == a.Id), cancellationToken);
        return new FreeCapacity(available, pendingWithoutNumber);
    }
}
