namespace MultiLine.Core.Admins;

/// <summary>
/// No escalation: what an admin may hand to another admin or put into a role. Written once and used by the
/// administrators and roles pages, the API and their tests. Every refusal is a sentence an admin understands.
/// </summary>
public static class AdminRules
{
    public const string NotYourself = "You cannot change your own role or scope. Ask another administrator to do it.";
    public const string CannotDisableYourself = "You cannot disable yourself. Ask another administrator to do it.";
    public const string AdminNotFound = "That administrator does not exist or is outside your scope.";
    public const string RoleNotFound = "That role does not exist.";
    public const string ScopeNotFound = "That organization does not exist or is outside your scope.";
    public const string AllOrganizationsNotYours = "Only an administrator of all organizations can give the scope \"All organizations\". Choose an organization in your scope.";

    /// <summary>The privileges, in the order and the words the pages show.</summary>
    public static readonly IReadOnlyList<(Privileges Privilege, string Name)> PrivilegeNames =
    [
        (Privileges.Accounts, "Accounts"),
        (Privileges.AccountsBulkOperations, "Accounts Bulk Operations"),
        (Privileges.Numbers, "Numbers"),
        (Privileges.Reports, "Reports"),
        (Privileges.Setup, "Setup"),
        (Privileges.Administrators, "Administrators"),
        (Privileges.ApiUsers, "API Users"),
        (Privileges.RolesAndPrivileges, "Roles and Privileges"),
        (Privileges.Profile, "Profile"),
    ];

    /// <summary>"Accounts, Numbers, Reports"; "none" for no privilege.</summary>
    public static string Describe(Privileges privileges)
    {
        var names = PrivilegeNames.Where(p => (privileges & p.Privilege) == p.Privilege).Select(p => p.Name).ToList();
        return names.Count == 0 ? "none" : string.Join(", ", names);
    }

    /// <summary>The privileges of <paramref name="wanted"/> that <paramref name="caller"/> does not hold.</summary>
    public static Privileges Missing(AdminScope caller, Privileges wanted) => wanted & ~caller.Privileges & Privileges.All;

    /// <summary>Refuses a role that would give privileges the caller does not hold; null when it may be given.</summary>
    public static string? RefuseRole(AdminScope caller, string roleName, Privileges rolePrivileges) =>
        Missing(caller, rolePrivileges) is var missing && missing != Privileges.None
            ? $"You cannot give the role \"{roleName}\": it holds privileges you do not have ({Describe(missing)})."
            : null;

    /// <summary>Refuses a scope outside the caller's own subtree; <paramref name="scopePath"/> null is all organizations.</summary>
    public static string? RefuseScope(AdminScope caller, string? scopePath) =>
        caller.SeesAllOrganizations ? null
        : scopePath is null ? AllOrganizationsNotYours
        : caller.Includes(scopePath) ? null
        : ScopeNotFound;

    /// <summary>Refuses creating or saving a role with privileges the caller does not hold.</summary>
    public static string? RefuseRolePrivileges(AdminScope caller, Privileges wanted) =>
        Missing(caller, wanted) is var missing && missing != Privileges.None
            ? $"You cannot give a role privileges you do not have yourself ({Describe(missing)})."
            : null;

    /// <summary>Refuses editing or deleting a role that holds privileges the caller does not hold.</summary>
    public static string? RefuseRoleChange(AdminScope caller, string roleName, Privileges current) =>
        Missing(caller, current) is var missing && missing != Privileges.None
            ? $"You cannot change the role \"{roleName}\": it holds privileges you do not have ({Describe(missing)})."
            : null;
}

/// <summary>What a password must be, for the set-password page and every other place that sets one.</summary>
public static class AdminPasswordRules
{
    public const int MinLength = 12;
    public const int MaxLength = 128;

    /// <summary>Null when the password may be used; otherwise why not.</summary>
    public static string? Check(string? password, string? confirmation, string email)
    {
        if (string.IsNullOrEmpty(password))
            return "Enter a password.";
        if (password.Length < MinLength)
            return $"Use at least {MinLength} characters.";
        if (password.Length > MaxLength)
            return $"Use at most {MaxLength} characters.";
        if (string.IsNullOrWhiteSpace(password))
            return "A password of only spaces is not allowed.";
        if (string.Equals(password.Trim(), email.Trim(), StringComparison.OrdinalIgnoreCase))
            return "Do not use your email address as your password.";
        if (password != confirmation)
            return "The two passwords do not match.";
        return null;
    }
}
