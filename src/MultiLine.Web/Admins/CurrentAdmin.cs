using Microsoft.AspNetCore.Components.Authorization;
using MultiLine.Core.Admins;

namespace MultiLine.Web.Admins;

/// <summary>
/// The admin of the current circuit (Blazor) or request (API). Components get it from the circuit's
/// authentication state; endpoints outside a circuit from the HTTP request.
/// </summary>
internal sealed class CurrentAdmin(AuthenticationStateProvider authentication, IHttpContextAccessor http) : ICurrentAdmin
{
    public async Task<AdminScope> GetScopeAsync()
    {
        if (http.HttpContext is { } context && context.User.Identity?.IsAuthenticated == true && !context.WebSockets.IsWebSocketRequest)
            return AdminClaims.ToScope(context.User);
        var state = await authentication.GetAuthenticationStateAsync();
        return AdminClaims.ToScope(state.User);
    }
}
