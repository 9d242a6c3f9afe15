using System.Globalization;
using System.Security.Claims;
using MultiLine.Core.Admins;

namespace MultiLine.Web.Admins;

/// <summary>How a signed-in admin is written into, and read back from, the authentication cookie.</summary>
public static class AdminClaims
{
    public const string Privileges = "ml:privileges";
    public const string ScopePath = "ml:scope";
    public const string ScopeName = "ml:scope-name";
    public const string Session = "ml:session";

    public static int? AdminId(ClaimsPrincipal user) =>
        int.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <param name="session">The server-side session a sign-in cookie stands for; API tokens have none.</param>
    public static ClaimsPrincipal ToPrincipal(SignedInAdmin admin, string authenticationType, string? session = null)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, admin.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, admin.DisplayName),
            new(ClaimTypes.Email, admin.Email),
            new(ClaimTypes.Role, admin.RoleName),
            new(Privileges, ((int)admin.Privileges).ToString(CultureInfo.InvariantCulture)),
            new(ScopeName, admin.ScopeName ?? "All organizations"),
        ];
        if (admin.ScopePath is not null)
            claims.Add(new Claim(ScopePath, admin.ScopePath));
        if (session is not null)
            claims.Add(new Claim(Session, session));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    /// <summary>The scope of a signed-in principal; an empty scope (no privileges, no organizations) otherwise.</summary>
    public static AdminScope ToScope(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true
            || !int.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var id))
            return AdminScope.None;
        var privileges = int.TryParse(user.FindFirstValue(Privileges), CultureInfo.InvariantCulture, out var flags)
            ? (Core.Admins.Privileges)flags
            : Core.Admins.Privileges.None;
        return new AdminScope(id, user.FindFirstValue(ScopePath), privileges);
    }

    public static bool Has(ClaimsPrincipal user, Core.Admins.Privileges privilege) => ToScope(user).Has(privilege);
}
