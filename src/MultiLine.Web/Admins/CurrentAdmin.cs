using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using MultiLine.Core.Admins;

namespace MultiLine.Web.Admins;

/// <summary>
/// The admin of the current circuit (Blazor) or request (API). Endpoints outside a circuit read the HTTP request,
/// whose cookie or token was checked when it arrived; a circuit reads its authentication state and checks the
/// session again for every operation, so a sign-out or role change stops a page that is already open.
/// </summary>
internal sealed class CurrentAdmin(AuthenticationStateProvider authentication, IHttpContextAccessor http, AdminSessions sessions) : ICurrentAdmin
{
    public async Task<AdminScope> GetScopeAsync()
    {
        if (http.HttpContext is { } context && context.User.Identity?.IsAuthenticated == true && !context.WebSockets.IsWebSocketRequest)
            return AdminClaims.ToScope(context.User);
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return AdminClaims.AdminId(user) is { } adminId && await sessions.IsCurrentAsync(adminId, user.FindFirstValue(AdminClaims.Session))
            ? AdminClaims.ToScope(user)
            : AdminScope.None;
    }
}
