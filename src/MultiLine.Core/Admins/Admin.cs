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

    /// <summary>A disabled admin cannot sign in, and their sessions and API tokens stop working at the next request.</summary>
    public bool IsDisabled { get; set; }

    /// <summary>When the first invitation was queued; null for admins created before invitations (the seeder's).</summary>
    public DateTime? InvitedAtUtc { get; set; }

    /// <summary>
    /// Lower-case hex SHA-256 of the current set-password link's token (the token itself is only in the email). A resend
    /// replaces it, so an older link stops working; it stays after use so the page can say the link was used.
    /// </summary>
    public string? InvitationTokenHash { get; set; }

    public DateTime? InvitationExpiresAtUtc { get; set; }
    public DateTime? PasswordSetAtUtc { get; set; }
    public DateTime? LastSignInAtUtc { get; set; }
}

/// <summary>Where an admin stands: invited (no password yet), active, or disabled.</summary>
public enum AdminStatus { Invited = 0, Active = 1, Disabled = 2 }

/// <summary>
/// One signed-in browser session, checked on every request: signing out ends it, and a change to the admin's
/// password, role, role privileges, scope or a disabled admin no longer matches its <see cref="Fingerprint"/>.
/// </summary>
public sealed class AdminSession
{
    public required string Id { get; set; }
    public int AdminId { get; set; }
    public Admin? Admin { get; set; }
    public required string Fingerprint { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime? EndedAtUtc { get; set; }
}

/// <summary>
/// Failed sign-ins per email address, known or not, so an unknown address answers exactly like a known one,
/// lockout included. Attempts are counted with a conditional update, so parallel attempts are each counted once.
/// </summary>
public sealed class SignInThrottle
{
    public required string NormalizedEmail { get; set; }
    public int Failures { get; set; }
    public DateTime? LockedUntilUtc { get; set; }
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

    /// <summary>Create, edit and delete roles.</summary>
    RolesAndPrivileges = 128,

    /// <summary>Manage sub-organizations: create, rename, delete, and their permission groups and numbers' allocation.</summary>
    Profile = 256,

    All = Accounts | AccountsBulkOperations | Numbers | Reports | Setup | Administrators | ApiUsers | RolesAndPrivileges | Profile,
}
