using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Organizations;

/// <summary>An organization as lists and drop-downs show it: indented by its depth in the tree.</summary>
public sealed record OrganizationOption(int Id, string Name, int? ParentId, string Path, int Depth, bool SocialMessagingEnabled, bool SmtpDataOffload, IReadOnlyList<string> AllowedEmailDomains);

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
}
