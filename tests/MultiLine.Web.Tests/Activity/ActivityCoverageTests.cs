using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Activity;
using MultiLine.Web.Activity;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Activity;

/// <summary>
/// The rule "every write and every download leaves one activity entry" is checked on the app's route table, so it holds
/// for the next endpoint too: each endpoint that writes (POST, PUT, PATCH, DELETE) or hands out a file must declare what
/// it records (<c>.Audited(ActivityActions.X)</c>) or why it records nothing (<c>.NotAudited("…")</c>).
/// </summary>
public sealed class ActivityCoverageTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];
    private static readonly string[] FileEndings = [".csv", ".eml", ".xlsx", ".zip", ".pdf"];

    private IReadOnlyList<RouteEndpoint> Endpoints() =>
        portal.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    /// <summary>Pages (their writes go through the domain calls the per-action tests check), the Blazor and SignalR plumbing, and static files are not routes an admin's act goes through.</summary>
    private bool IsPlumbing(RouteEndpoint endpoint)
    {
        var route = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
        // A static file (the sample CSV files) is the same for everyone and names no one's data.
        var webRoot = portal.Factory.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.IWebHostEnvironment>().WebRootFileProvider;
        return endpoint.Metadata.GetMetadata<ComponentTypeMetadata>() is not null
            || route.StartsWith("/_blazor", StringComparison.Ordinal) || route.StartsWith("/_framework", StringComparison.Ordinal)
            || route.StartsWith("/hubs/", StringComparison.Ordinal) || route.StartsWith("/health", StringComparison.Ordinal)
            || route.StartsWith("/openapi/", StringComparison.Ordinal)
            || webRoot.GetFileInfo(route).Exists;
    }

    private static bool Writes(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is not { } methods || methods.HttpMethods.Any(m => WriteMethods.Contains(m, StringComparer.OrdinalIgnoreCase));

    private static bool HandsOutAFile(RouteEndpoint endpoint) =>
        FileEndings.Any(ending => (endpoint.RoutePattern.RawText ?? "").EndsWith(ending, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void EveryWritingOrDownloadRouteDeclaresWhatTheActivityRecordGets()
    {
        var candidates = Endpoints().Where(e => !IsPlumbing(e) && (Writes(e) || HandsOutAFile(e))).ToList();
        var undeclared = candidates
            .Where(e => e.Metadata.GetMetadata<AuditedMetadata>() is null && e.Metadata.GetMetadata<NotAuditedMetadata>() is null)
            .Select(e => $"{string.Join(",", e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"])} {e.RoutePattern.RawText}")
            .ToList();

        Assert.True(candidates.Count >= 20, $"Only {candidates.Count} writing or download routes were found; the route table was not read as expected.");
        Assert.True(undeclared.Count == 0,
            "These routes write or hand out a file but do not say what the activity record gets:\n  " + string.Join("\n  ", undeclared) + "\n" +
            "Record the act in the domain call, in the same SaveChanges as the change (ActivityLog.Record with ICurrentAdmin.GetActorAsync()), " +
            "or at the download endpoint before the first byte; add an action code to ActivityActions (with its Label); then mark the route " +
            ".Audited(ActivityActions.YourAction) and add a test that calls it and finds exactly one new ActivityEntry. " +
            "A route that deliberately records nothing (a dry run) is marked .NotAudited(\"why\"). See docs/adr-activity-audit.md.");
    }

    [Fact]
    public void EveryDeclaredActionIsACodeTheReportCanLabel()
    {
        var declared = Endpoints().Select(e => e.Metadata.GetMetadata<AuditedMetadata>()?.Action).OfType<string>().Distinct().ToList();

        Assert.NotEmpty(declared);
        Assert.All(declared, action => Assert.Contains(action, ActivityActions.All));
        Assert.All(ActivityActions.All, action => Assert.NotEqual(action, ActivityActions.Label(action)));
    }

    [Fact]
    public void AReasonToRecordNothingIsWrittenOut()
    {
        var silent = Endpoints().Select(e => e.Metadata.GetMetadata<NotAuditedMetadata>()).OfType<NotAuditedMetadata>().ToList();

        Assert.All(silent, s => Assert.True(s.Reason.Length > 10, $"\"{s.Reason}\" does not say why the route records nothing."));
    }
}
