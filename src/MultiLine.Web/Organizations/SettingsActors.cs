using System.Globalization;
using System.Security.Claims;
using MultiLine.Core.Organizations;

namespace MultiLine.Web.Organizations;

/// <summary>The signed-in admin as the settings audit records them.</summary>
public static class SettingsActors
{
    public static SettingsActor From(ClaimsPrincipal user) => new(
        int.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var id) ? id : null,
        user.Identity?.Name is { Length: > 0 } name ? name : "Unknown admin");
}
