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

    /// <summary>The default of the nearest organization on the path (self first) that defines one.</summary>
    public static PermissionGroup? DefaultFor(Organization organization, IEnumerable<PermissionGroup> usableGroups)
    {
        var depth = organization.AncestorIdsAndSelf()
            .Select((id, index) => (id, index))
            .ToDictionary(x => x.id, x => x.index);
        return usableGroups
            .Where(g => g.IsDefault && depth.ContainsKey(g.OrganizationId))
            .OrderByDescending(g => depth[g.OrganizationId])
            .FirstOrDefault();
    }
}
