using MultiLine.Core.Admins;

namespace MultiLine.Web.Admins;

/// <summary>One authorization policy per privilege, named after it.</summary>
public static class Policies
{
    public const string Accounts = nameof(Privileges.Accounts);
    public const string AccountsBulkOperations = nameof(Privileges.AccountsBulkOperations);
    public const string Numbers = nameof(Privileges.Numbers);
    public const string Reports = nameof(Privileges.Reports);
    public const string Setup = nameof(Privileges.Setup);
    public const string Administrators = nameof(Privileges.Administrators);
    public const string ApiUsers = nameof(Privileges.ApiUsers);
    public const string RolesAndPrivileges = nameof(Privileges.RolesAndPrivileges);
    public const string Profile = nameof(Privileges.Profile);

    public static readonly Privileges[] All =
        [Privileges.Accounts, Privileges.AccountsBulkOperations, Privileges.Numbers, Privileges.Reports, Privileges.Setup, Privileges.Administrators, Privileges.ApiUsers,
         Privileges.RolesAndPrivileges, Privileges.Profile];
}
