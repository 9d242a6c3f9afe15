using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using MultiLine.Core.Admins;

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
        builder.Services.AddScoped<ICurrentAdmin, CurrentAdmin>();
        return builder;
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

    /// <summary>Sign-out: a POST with the antiforgery token, back to the sign-in page.</summary>
    public static IEndpointRouteBuilder MapSignOut(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/signin?signedOut=true");
        });
        return endpoints;
    }
}
