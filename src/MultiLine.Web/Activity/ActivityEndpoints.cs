using System.Globalization;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;

namespace MultiLine.Web.Activity;

/// <summary>The Administrator Activity report's download for the signed-in admin: the page's link carries its filter and the browser's time zone.</summary>
public static class ActivityEndpoints
{
    public const string DownloadPath = "/reports/activity.csv";

    /// <summary><c>/reports/activity.csv?from=…&amp;to=…&amp;admin=…&amp;org=…&amp;action=…&amp;source=…&amp;tz=…</c> (times as ISO 8601 UTC).</summary>
    public static IEndpointRouteBuilder MapActivityDownload(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(DownloadPath, async (string? from, string? to, string? admin, int? org, string? action, string? source, string? tz,
            ActivityExport export, ICurrentAdmin current, HttpContext http) =>
        {
            if (!TryFilter(from, to, admin, org, action, source, out var filter, out var error))
                return Results.BadRequest(error);
            return await ExportFileAsync(export, filter!, tz, await current.GetActorAsync(), http.RequestAborted) ?? Results.NotFound();
        }).RequireAuthorization(Admins.Policies.Reports).Audited(ActivityActions.ActivityExport);
        return endpoints;
    }

    /// <summary>The download as a streamed, named CSV file; null when the filter's organization is not in the scope. Shared by the page's link and the API.</summary>
    public static async Task<IResult?> ExportFileAsync(ActivityExport export, ActivityFilter filter, string? timeZone, ActivityActor actor, CancellationToken cancellationToken)
    {
        var file = await export.PrepareAsync(filter, timeZone, actor, cancellationToken);
        if (file is null)
            return null;
        return Results.Stream(output => export.WriteAsync(file, output, cancellationToken), ActivityExportFile.ContentType, file.FileName);
    }

    /// <summary>The filter from query text, as the page's link and the API send it; an error in the caller's words otherwise.</summary>
    public static bool TryFilter(string? from, string? to, string? admin, int? organizationId, string? action, string? source, out ActivityFilter? filter, out string? error)
    {
        filter = null;
        error = null;
        if (!TryTime(from, "from", out var fromUtc, ref error) || !TryTime(to, "to", out var toUtc, ref error))
            return false;
        ActivitySource? sourceValue = null;
        if (!string.IsNullOrWhiteSpace(source))
        {
            if (!Enum.TryParse<ActivitySource>(source, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                error = $"source: \"{source}\" is not one of {string.Join(", ", Enum.GetNames<ActivitySource>())}.";
                return false;
            }
            sourceValue = parsed;
        }
        filter = new ActivityFilter(fromUtc, toUtc, admin, organizationId, string.IsNullOrWhiteSpace(action) ? null : action.Trim(), sourceValue);
        return true;
    }

    private static bool TryTime(string? text, string name, out DateTime? utc, ref string? error)
    {
        utc = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            utc = parsed.UtcDateTime;
            return true;
        }
        error = $"{name}: \"{text}\" is not a date or time (use ISO 8601, such as 2026-11-26 or 2026-11-26T09:30:00Z).";
        return false;
    }

    /// <summary>The page's link for a filter: ISO times in UTC and the browser's time zone.</summary>
    public static string DownloadLink(ActivityFilter filter, string? timeZone)
    {
        var query = new Dictionary<string, string?>
        {
            ["from"] = filter.FromUtc?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["to"] = filter.ToUtc?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["admin"] = string.IsNullOrWhiteSpace(filter.Admin) ? null : filter.Admin.Trim(),
            ["org"] = filter.OrganizationId?.ToString(CultureInfo.InvariantCulture),
            ["action"] = filter.Action,
            ["source"] = filter.Source?.ToString(),
            ["tz"] = timeZone,
        };
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(DownloadPath.TrimStart('/'), query.Where(p => p.Value is not null));
    }
}
