using MultiLine.Web.Activity;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using MultiLine.Core.Admins;
using MultiLine.Core.Persistence;

namespace MultiLine.Web.Admins;

public static class AuthenticationExtensions
{
    /// <summary>Cookie sign-in, one policy per privilege, and every page closed to anonymous visitors by default.</summary>
    public static IHostApplicationBuilder AddMultiLineAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/signin";
                options.LogoutPath = "/signout";
                options.AccessDeniedPath = "/access-denied";
                options.Cookie.Name = "MultiLine.Auth";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.ExpireTimeSpan = TimeSpan.FromHours(8);
                options.SlidingExpiration = true;
                // Programs (SignalR clients, API callers) get status codes; people get the sign-in page.
                options.Events.OnValidatePrincipal = ValidateSessionAsync;
                options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPrivilegePolicies();

        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<AdminSignIn>();
        builder.Services.AddSingleton<AdminSessions>();
        builder.Services.AddScoped<ICurrentAdmin, CurrentAdmin>();
        builder.Services.AddScoped<AuthenticationStateProvider, SessionRevalidation>();
        builder.AddMultiLineAdministrators();
        // Keys in the database: every instance shares them, and a restart signs nobody out.
        builder.Services.AddDataProtection().SetApplicationName("MultiLine Portal").PersistKeysToDbContext<MultiLineDbContext>();
        return builder;
    }

    /// <summary>Every request with the cookie: its session must still be open and the admin unchanged, or the cookie is refused.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var sessions = context.HttpContext.RequestServices.GetRequiredService<AdminSessions>();
        if (context.Principal is { } user && AdminClaims.AdminId(user) is { } adminId
            && await sessions.IsCurrentAsync(adminId, user.FindFirstValue(AdminClaims.Session), context.HttpContext.RequestAborted))
            return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/hubs") || context.Request.Path.StartsWithSegments("/api"))
            context.Response.StatusCode = status;
        else
            context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static AuthorizationBuilder AddPrivilegePolicies(this AuthorizationBuilder authorization)
    {
        foreach (var privilege in Policies.All)
            authorization.AddPolicy(privilege.ToString(), policy => policy
                .RequireAuthenticatedUser()
                .RequireAssertion(context => AdminClaims.Has(context.User, privilege)));
        return authorization;
    }

    /// <summary>Sign-out: a POST with the antiforgery token; ends the session on the server, so the old cookie is refused.</summary>
    public static IEndpointRouteBuilder MapSignOut(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/signout", async (HttpContext context, IAntiforgery antiforgery, AdminSessions sessions, ICurrentAdmin admin) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
                return Results.BadRequest("The sign-out form has expired. Reload the page and sign out again.");
            if (context.User.FindFirstValue(AdminClaims.Session) is { } session)
                await sessions.EndAsync(session, await admin.GetActorAsync(), context.RequestAborted);
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/signin?signedOut=true");
        }).AllowAnonymous().Audited(Core.Activity.ActivityActions.SignOut);
        return endpoints;
    }
}
