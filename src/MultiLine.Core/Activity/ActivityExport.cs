using System.Globalization;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Imports;
using MultiLine.Core.Persistence;
using MultiLine.Core.Reports;

namespace MultiLine.Core.Activity;

/// <summary>An activity download ready to be written: the filter, file name and header block's words, fixed when the admin asked.</summary>
public sealed record ActivityExportFile(ActivityFilter Filter, string FileName, string Organization, string? FilterText, TimeZoneInfo TimeZone, DateTimeOffset GeneratedAt)
{
    public const string ContentType = "text/csv; charset=utf-8";
}

/// <summary>
/// "Download CSV" of the Administrator Activity report: the report's filter, newest first, with the accounts export's
/// header block and writer (UTF-8 with BOM, formula-safe cells), streamed from one untracked query. The download is
/// itself recorded (<see cref="ActivityActions.ActivityExport"/>) before its first byte.
/// </summary>
public sealed class ActivityExport(ScopedDbContextFactory data, TimeProvider clock)
{
    public const string ReportName = "MultiLine administrator activity";
    public static readonly string[] Columns = ["when", "admin", "organization", "action", "target", "details", "client_ip", "source"];

    /// <summary>Checks the filter's organization in the scope, names the file and records the download; null when the organization is not in the scope.</summary>
    public async Task<ActivityExportFile?> PrepareAsync(ActivityFilter filter, string? timeZone, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await data.CreateAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var zone = AccountExport.FindTimeZone(timeZone);
        string organization, slug;
        int? organizationId;
        string? filterOrganization = null;
        if (filter.OrganizationId is { } id)
        {
            var name = await db.Organizations.AsNoTracking().Where(o => o.Id == id).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken);
            if (name is null)
                return null;
            (organization, slug, organizationId, filterOrganization) = ($"{name} and its sub-organizations", CsvTemplate.Slug(name), id, name);
        }
        else if (db.Scope.OrganizationPath is { } path)
        {
            var root = await db.Organizations.AsNoTracking().Where(o => o.Path == path).Select(o => new { o.Id, o.Name }).FirstOrDefaultAsync(cancellationToken);
            (organization, slug, organizationId) = ($"{root?.Name} and its sub-organizations (all in your scope)", CsvTemplate.Slug(root?.Name ?? "scope"), root?.Id);
        }
        else
            (organization, slug, organizationId) = ("All organizations", "all-organizations", null);

        var day = TimeZoneInfo.ConvertTime(now, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var file = new ActivityExportFile(filter, $"administrator-activity-{slug}-{day}.csv", organization, ActivityReport.Describe(filter, filterOrganization), zone, now);
        ActivityLog.Record(db, actor, now.UtcDateTime, ActivityActions.ActivityExport, organizationId, ActivityTargetKind.Report, null, file.FileName,
            file.FilterText is { } text ? $"{organization}; {text}" : organization);
        await db.SaveChangesAsync(cancellationToken);
        return file;
    }

    public async Task WriteAsync(ActivityExportFile file, Stream output, CancellationToken cancellationToken = default)
    {
        await using var db = await data.CreateAsync(cancellationToken);
        await WriteAsync(db, file, output, cancellationToken);
    }

    internal static async Task WriteAsync(MultiLineDbContext db, ActivityExportFile file, Stream output, CancellationToken cancellationToken)
    {
        await using var csv = ReportCsvWriter.CreateWriter(output);
        string[] block =
        [
            $"# Report: {ReportName}",
            $"# Generated: {AccountExport.Format(file.GeneratedAt.UtcDateTime, file.TimeZone)} {file.TimeZone.Id}",
            $"# Organization: {file.Organization}",
            $"# Filter: {file.FilterText ?? "none"}",
        ];
        foreach (var line in block)
        {
            csv.WriteField(ReportCsvWriter.Neutralize(line));
            await csv.NextRecordAsync();
        }
        await csv.NextRecordAsync();
        foreach (var column in Columns)
            csv.WriteField(column);
        await csv.NextRecordAsync();

        await foreach (var row in ActivityReport.Rows(db, file.Filter).AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            csv.WriteField(AccountExport.Format(row.AtUtc, file.TimeZone));
            csv.WriteField(ReportCsvWriter.Neutralize(row.AdminName));
            csv.WriteField(ReportCsvWriter.Neutralize(row.Organization));
            csv.WriteField(ReportCsvWriter.Neutralize(row.ActionLabel));
            csv.WriteField(ReportCsvWriter.Neutralize(row.TargetName));
            csv.WriteField(ReportCsvWriter.Neutralize(row.Details));
            csv.WriteField(ReportCsvWriter.Neutralize(row.ClientIp));
            csv.WriteField(ActivityReport.SourceLabel(row.Source));
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
    }
}
