using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using MultiLine.Core.Admins;

namespace MultiLine.Web.Admins;

/// <summary>
/// An open page (a Blazor circuit) sends no more HTTP requests, so it re-checks its session every few seconds: after a
/// sign-out elsewhere, a role or scope change or a disabled admin, the page falls back to the sign-in page. Data reads
/// in between are refused at once by <see cref="CurrentAdmin"/>, which checks the session for every operation.
/// </summary>
internal sealed class SessionRevalidation(ILoggerFactory loggers, AdminSessions sessions) : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(10);

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken) =>
        AdminClaims.AdminId(state.User) is { } adminId
        && await sessions.IsCurrentAsync(adminId, state.User.FindFirstValue(AdminClaims.Session), cancellationToken);
}
