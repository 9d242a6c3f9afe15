using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Persistence;
using MultiLine.Web.Activity;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>One entry of the activity record, as <c>GET /api/v1/activity</c> returns it.</summary>
public sealed record ApiActivityEntry(
    long Id, DateTime AtUtc, int? AdminId, string AdminName, int? OrganizationId, string? Organization, string Action, string ActionLabel,
    ActivityTargetKind TargetKind, string? TargetId, string? TargetName, string? Details, string? ClientIp, ActivitySource Source)
{
    public static ApiActivityEntry From(ActivityRow row) => new(row.Id, row.AtUtc, row.AdminId, row.AdminName, row.OrganizationId, row.Organization,
        row.Action, row.ActionLabel, row.TargetKind, row.TargetId, row.TargetName, row.Details, row.ClientIp, row.Source);
}

/// <summary>The Administrator Activity report over HTTP: the same filter, scope and export as the page.</summary>
internal static class ActivityApi
{
    private const string Filters = "Filters: from and to (ISO 8601, UTC; to is exclusive), admin (text in the admin's name), organizationId (with its sub-organizations), action (a code such as account.suspend or signin.failure) and source (Portal, Api, Batch).";

    public static RouteGroupBuilder MapActivityEndpoints(this RouteGroupBuilder api)
    {
        var activity = api.MapGroup("/activity").WithTags("Activity").RequireAuthorization(Policies.Reports);

        activity.MapGet("/", async (string? from, string? to, string? admin, int? organizationId, string? action, string? source, int? page, int? pageSize,
            ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            if (!ActivityEndpoints.TryFilter(from, to, admin, organizationId, action, source, out var filter, out var error))
                return ApiProblems.BadRequest(error!);
            await using var db = await data.CreateAsync(cancellationToken);
            if (organizationId is { } id && !await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
                return ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
            var paging = ApiRequest.Paging(page, pageSize);
            var found = await ActivityReport.PageAsync(db, filter!, paging, cancellationToken);
            return TypedResults.Ok(new ApiPage<ApiActivityEntry>(found.Items.Select(ApiActivityEntry.From).ToList(), paging.PageIndex + 1, paging.Take, found.TotalCount));
        })
        .WithName("ListActivity")
        .WithSummary("The administrators' activity record in your scope, newest first: every change, download and sign-in, with admin, organization, action, target, details, client IP and source.")
        .WithDescription(Filters)
        .Produces<ApiPage<ApiActivityEntry>>()
        .ProducesProblem(400)
        .ProducesProblem(404);

        activity.MapGet("/export.csv", async (string? from, string? to, string? admin, int? organizationId, string? action, string? source, string? timeZone,
            ActivityExport export, HttpContext http) =>
        {
            if (!ActivityEndpoints.TryFilter(from, to, admin, organizationId, action, source, out var filter, out var error))
                return ApiProblems.BadRequest(error!);
            return await ActivityEndpoints.ExportFileAsync(export, filter!, timeZone, await ApiRequest.ActorAsync(http), http.RequestAborted)
                ?? ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
        })
        .Audited(ActivityActions.ActivityExport)
        .WithName("ExportActivity")
        .WithSummary("Downloads the activity record of a filter as CSV (UTF-8 with BOM), streamed, newest first; the download is itself recorded. timeZone (an IANA id; UTC by default) sets how times are written.")
        .WithDescription(Filters)
        .Produces<string>(200, "text/csv")
        .ProducesProblem(400)
        .ProducesProblem(404);

        return api;
    }
}
