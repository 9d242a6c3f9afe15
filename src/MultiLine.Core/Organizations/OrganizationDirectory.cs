using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Organizations;

/// <summary>An organization as lists and drop-downs show it: indented by its depth in the tree.</summary>
public sealed record OrganizationOption(int Id, string Name, int? ParentId, string Path, int Depth, bool SocialMessagingEnabled, bool SmtpDataOffload, IReadOnlyList<string> AllowedEmailDomains);

/// <summary>A permission group as drop-downs show it.</summary>
public sealed record PermissionGroupOption(int Id, string Name, bool IsDefault, Features Features, string DefinedBy);

/// <summary>Reads the organization tree within the context's scope.</summary>
public static class OrganizationDirectory
{
    /// <summary>Organizations in tree order (each parent before its children).</summary>
    public static async Task<IReadOnlyList<OrganizationOption>> ListAsync(MultiLineDbContext db, CancellationToken cancellationToken = default)
    {
        var organizations = await db.Organizations.AsNoTracking().ToListAsync(cancellationToken);
        var byId = organizations.ToDictionary(o => o.Id);
        string SortKey(Organization o) => string.Join('/', o.AncestorIdsAndSelf().Select(id => byId.TryGetValue(id, out var a) ? a.Name : ""));
        return organizations
            .OrderBy(SortKey, StringComparer.OrdinalIgnoreCase)
            .Select(o => new OrganizationOption(o.Id, o.Name, o.ParentId, o.Path, o.AncestorIdsAndSelf().Count - 1, o.SocialMessagingEnabled, o.SmtpDataOffload, o.AllowedEmailDomains))
            .ToList();
    }

    /// <summary>The tree with each organization's free capacity.</summary>
    public static async Task<IReadOnlyList<(OrganizationOption Organization, FreeCapacity Capacity)>> ListWithCapacityAsync(MultiLineDbContext db, CancellationToken cancellationToken = default)
    {
        var organizations = await ListAsync(db, cancellationToken);
        var capacities = await NumberCapacityQueries.FreeCapacitiesAsync(db, organizations.Select(o => o.Id).ToArray(), cancellationToken);
        return organizations.Select(o => (o, capacities[o.Id])).ToList();
    }

    /// <summary>The groups an organization can use (its own and its ancestors'), its default first.</summary>
    public static async Task<IReadOnlyList<PermissionGroupOption>> PermissionGroupsAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return [];
        var groups = await db.PermissionGroups.AsNoTracking().UsableBy(organization).Include(g => g.Organization).ToListAsync(cancellationToken);
        var defaultGroup = PermissionGroupInheritance.DefaultFor(organization, groups, await PermissionGroupInheritance.ChoicesOnPathAsync(db, organization, cancellationToken));
        return groups
            .OrderByDescending(g => g.Id == defaultGroup?.Id).ThenBy(g => g.Name)
            .Select(g => new PermissionGroupOption(g.Id, g.Name, g.Id == defaultGroup?.Id, g.Features, g.Organization?.Name ?? ""))
            .ToList();
    }
}
