using MultiLine.Core.Organizations;

namespace MultiLine.Core.Admins;

/// <summary>A person who signs in to the portal. Sees and touches only what lies inside their scope.</summary>
public sealed class Admin
{
    public int Id { get; set; }
    public required string Email { get; set; }
    public required string NormalizedEmail { get; set; }
    public required string DisplayName { get; set; }
    public string PasswordHash { get; set; } = "";
    public int RoleId { get; set; }
    public Role? Role { get; set; }

    /// <summary>The organization whose subtree the admin manages; null means all organizations.</summary>
    public int? ScopeOrganizationId { get; set; }
    public Organization? ScopeOrganization { get; set; }

    public int AccessFailedCount { get; set; }
    public DateTime? LockoutEndUtc { get; set; }
}

/// <summary>A named set of privileges.</summary>
public sealed class Role
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public Privileges Privileges { get; set; }
}

[Flags]
public enum Privileges
{
    None = 0,
    Accounts = 1,
    AccountsBulkOperations = 2,
    Numbers = 4,
    Reports = 8,
    Setup = 16,
    Administrators = 32,
    ApiUsers = 64,
    All = Accounts | AccountsBulkOperations | Numbers | Reports | Setup | Administrators | ApiUsers,
}
