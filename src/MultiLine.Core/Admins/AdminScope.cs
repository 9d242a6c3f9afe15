namespace MultiLine.Core.Admins;

/// <summary>
/// What the signed-in admin may see: a subtree path (null for all organizations) and privileges.
/// Handed to <see cref="Persistence.MultiLineDbContext"/>, whose query filters apply it to every read.
/// </summary>
public sealed record AdminScope(int AdminId, string? OrganizationPath, Privileges Privileges)
{
    /// <summary>
    /// For the hosted services, the seeder and rule checks that span all organizations. Only
    /// <see cref="Persistence.SystemDbContextFactory"/> hands out contexts with it.
    /// </summary>
    public static readonly AdminScope System = new(0, null, Privileges.All);

    /// <summary>No organization, no privilege: what a context sees until it is given a scope, and what nobody signed in gets.</summary>
    public static readonly AdminScope None = new(0, "/none/", Privileges.None);

    /// <summary>True when nothing is filtered out (the system, or a super admin of all organizations).</summary>
    public bool SeesAllOrganizations => OrganizationPath is null;

    public bool Has(Privileges privilege) => (Privileges & privilege) == privilege;

    public bool Includes(string organizationPath) =>
        OrganizationPath is null || organizationPath.StartsWith(OrganizationPath, StringComparison.Ordinal);
}
