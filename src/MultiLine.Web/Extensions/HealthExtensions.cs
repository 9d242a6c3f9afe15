using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MultiLine.Core.Persistence;

namespace MultiLine.Web.Extensions;

/// <summary>
/// ASP.NET Core health checks for load balancers and orchestrators: <c>/health/live</c> answers while the process
/// serves requests (no dependency is checked, so a slow database never restarts a healthy process); <c>/health/ready</c>
/// answers 200 only when the database is reachable and migrated, and Redis answers when it is configured (503
/// otherwise), to take the instance out of rotation.
/// </summary>
public static class HealthExtensions
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string Ready = "ready";

    public static IHostApplicationBuilder AddMultiLineHealthChecks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<DatabaseReadyCheck>(DatabaseReadyCheck.Name, tags: [Ready]);
        return builder;
    }

    public static WebApplication MapMultiLineHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = WriteAsync })
            .AllowAnonymous();
        return app;
    }

    /// <summary>The status and, per check, its status and description: enough for an operator, nothing about tenants.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
}
