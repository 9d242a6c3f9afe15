using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using MultiLine.Core.Admins;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>
/// "Authorization: Bearer &lt;token&gt;" for the API. A valid token yields the same claims as the sign-in cookie
/// (<see cref="AdminClaims"/>), read fresh from the admin's role and scope, so scoped contexts and policies work
/// unchanged. Challenges and refusals are problem details, never redirects.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string TokenIdClaim = "ml:api-token";
    public const string MissingToken = "Send an API token in the Authorization header: \"Authorization: Bearer <token>\".";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        var secret = header["Bearer ".Length..].Trim();
        if (secret.Length is 0 or > 200)
            return AuthenticateResult.Fail(ApiTokens.Unknown);

        var check = await tokens.CheckAsync(secret, Context.RequestAborted);
        if (!check.Succeeded)
            return AuthenticateResult.Fail(check.Error!);
        var principal = AdminClaims.ToPrincipal(check.Admin!, SchemeName);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(TokenIdClaim, check.TokenId!.Value.ToString(CultureInfo.InvariantCulture)));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message ?? MissingToken;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : $"Bearer error=\"invalid_token\", error_description=\"{detail}\"";
        await ApiProblems.Create(StatusCodes.Status401Unauthorized, detail).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.Create(StatusCodes.Status403Forbidden,
            "Your role does not allow this request. API tokens need the API Users privilege, and each endpoint the privilege of the page it mirrors.")
            .ExecuteAsync(Context);
}
