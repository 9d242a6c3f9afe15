using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Web.Api;

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
        if (RequestUser() is { } requestUser)
            return AdminClaims.ToScope(requestUser);
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return AdminClaims.AdminId(user) is { } adminId && await sessions.IsCurrentAsync(adminId, user.FindFirstValue(AdminClaims.Session))
            ? AdminClaims.ToScope(user)
            : AdminScope.None;
    }

    /// <summary>
    /// In a circuit the accessor holds the circuit's own connection (the WebSocket request, after the forwarded-headers
    /// middleware), so its remote address is the browser's as the app sees it; null when the transport gives none.
    /// </summary>
    public async Task<ActivityActor> GetActorAsync()
    {
        var requestUser = RequestUser();
        var user = requestUser ?? (await authentication.GetAuthenticationStateAsync()).User;
        var source = user.Identity?.AuthenticationType == ApiTokenAuthenticationHandler.SchemeName ? ActivitySource.Api : ActivitySource.Portal;
        var name = user.Identity?.Name is { Length: > 0 } n ? n : "Unknown admin";
        return new ActivityActor(AdminClaims.AdminId(user), name, http.HttpContext?.Connection.RemoteIpAddress?.ToString(), source);
    }

    private ClaimsPrincipal? RequestUser() =>
        http.HttpContext is { } context && context.User.Identity?.IsAuthenticated == true && !context.WebSockets.IsWebSocketRequest ? context.User : null;
}
