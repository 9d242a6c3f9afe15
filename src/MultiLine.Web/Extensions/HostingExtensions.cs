using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace MultiLine.Web.Extensions;

/// <summary>Running behind a reverse proxy, and the security headers of every response.</summary>
public static class HostingExtensions
{
    /// <summary>
    /// Trusts X-Forwarded-For/-Proto/-Host from loopback and from the proxies in <c>ForwardedHeaders:KnownProxies</c>
    /// (addresses) and <c>ForwardedHeaders:KnownNetworks</c> (CIDR ranges), so cookies are Secure behind TLS and
    /// activation links and logs carry the real scheme, host and client address.
    /// </summary>
    public static IHostApplicationBuilder AddMultiLineHosting(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            foreach (var proxy in builder.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in builder.Configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [])
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        // Behind TLS the antiforgery cookie is Secure like the sign-in cookie (its default would never be).
        builder.Services.AddAntiforgery(options => options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        return builder;
    }

    /// <summary>The policy the portal works under: its own scripts only, MudBlazor's inline styles, its own hub.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    /// <summary>nosniff, no referrer (activation links carry a token), the CSP, no framing; no-store on the API and on downloads.</summary>
    public static WebApplication UseMultiLineSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                var type = context.Response.ContentType ?? "";
                if (context.Request.Path.StartsWithSegments("/api") || type.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase)
                    || type.StartsWith("message/rfc822", StringComparison.OrdinalIgnoreCase) || context.Response.Headers.ContentDisposition.Count > 0)
                    headers.CacheControl = "no-store";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
