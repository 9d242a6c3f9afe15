namespace MultiLine.Core.Admins;

/// <summary>
/// What the signed-in admin may see: a subtree path (null for all organizations) and privileges.
/// Handed to <see cref="Persistence.MultiLineDbContext"/>, whose query filters apply it to every read.
/// </summary>
public sealed record AdminScope(int AdminId, string? OrganizationPath, Privileges Privileges)
{
    /// <summary>For the hosted services and the seeder, which work across all organizations.</summary>
    public static readonly AdminScope System = new(0, null, Privileges.All);

    public bool Has(Privileges privilege) => (Privileges & privilege) == privilege;

    public bool Includes(string organizationPath) =>
        OrganizationPath is null || organizationPath.StartsWith(OrganizationPath, StringComparison.Ordinal);
}
