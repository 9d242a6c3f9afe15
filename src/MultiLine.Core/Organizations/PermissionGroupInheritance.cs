using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Organizations;

/// <summary>Which permission groups an organization can use, and which one is its default.</summary>
public static class PermissionGroupInheritance
{
    /// <summary>Groups defined on the organization or any of its ancestors.</summary>
    public static IQueryable<PermissionGroup> UsableBy(this IQueryable<PermissionGroup> groups, Organization organization)
    {
        var ids = organization.AncestorIdsAndSelf();
        return groups.Where(g => ids.Contains(g.OrganizationId));
    }

    /// <summary>
    /// The default of the nearest organization on the path (self first) that has one: the group it chose
    /// (<see cref="Organization.DefaultPermissionGroupId"/>, from <paramref name="chosen"/>), else its own group flagged
    /// <see cref="PermissionGroup.IsDefault"/>.
    /// </summary>
    public static PermissionGroup? DefaultFor(Organization organization, IEnumerable<PermissionGroup> usableGroups, IReadOnlyDictionary<int, int?>? chosen = null)
    {
        var groups = usableGroups.ToList();
        foreach (var id in organization.AncestorIdsAndSelf().Reverse())
        {
            if (chosen?.GetValueOrDefault(id) is { } choice && groups.FirstOrDefault(g => g.Id == choice) is { } picked)
                return picked;
            if (groups.FirstOrDefault(g => g.OrganizationId == id && g.IsDefault) is { } flagged)
                return flagged;
        }
        return null;
    }

    /// <summary>The choices of default group made on the organization's path, as far as the context's scope sees it.</summary>
    public static async Task<IReadOnlyDictionary<int, int?>> ChoicesOnPathAsync(MultiLineDbContext db, Organization organization, CancellationToken cancellationToken = default)
    {
        var ids = organization.AncestorIdsAndSelf();
        return await db.Organizations.AsNoTracking().Where(o => ids.Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.DefaultPermissionGroupId, cancellationToken);
    }

    /// <summary>The organization's default group, read in the context's scope.</summary>
    public static async Task<PermissionGroup?> DefaultForAsync(MultiLineDbContext db, Organization organization, CancellationToken cancellationToken = default)
    {
        var groups = await db.PermissionGroups.AsNoTracking().UsableBy(organization).ToListAsync(cancellationToken);
        return DefaultFor(organization, groups, await ChoicesOnPathAsync(db, organization, cancellationToken));
    }
}
