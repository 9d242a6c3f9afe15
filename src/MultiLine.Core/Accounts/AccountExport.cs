using MultiLine.Core.Activity;
using System.Globalization;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Core.Reports;

namespace MultiLine.Core.Accounts;

/// <summary>
/// Which accounts to export and how to write times: the Accounts table's filter and sort, and the admin's time zone (an
/// IANA id such as <c>Europe/Rome</c>, sent by the browser or the API caller; UTC when missing or unknown).
/// </summary>
public sealed record AccountExportRequest(AccountSearch Search, string? SortBy = null, bool Descending = false, string? TimeZone = null);

/// <summary>One line of the accounts export.</summary>
public sealed record AccountExportRow(
    string? FirstName, string? LastName, string Username, string Organization, AccountStatus Status, string? Number, string PermissionGroup,
    DateTime? InvitationSentUtc, DateTime? ActivatedAtUtc, MonitorCalls MonitorCalls, MonitorSms MonitorSms, bool SocialMessaging,
    bool RestrictIncomingSocialMessaging, Language Language);

/// <summary>
/// A download ready to be written: its file name and the header block's words, fixed when the admin asked for it. The
/// rows are read when <see cref="AccountExport.WriteAsync(AccountExportFile, Stream, CancellationToken)"/> writes them.
/// </summary>
public sealed record AccountExportFile(AccountExportRequest Request, string FileName, string Organization, string? Filter, TimeZoneInfo TimeZone, DateTimeOffset GeneratedAt)
{
    public const string ContentType = "text/csv; charset=utf-8";

    /// <summary>"2026-11-26 10:15 Europe/Rome (UTC+01:00)".</summary>
    public string GeneratedText => AccountExport.Format(GeneratedAt.UtcDateTime, TimeZone) + $" {TimeZone.Id} (UTC{Offset(TimeZone.GetUtcOffset(GeneratedAt))})";

    private static string Offset(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);
}

/// <summary>
/// "Download accounts (CSV)": the accounts of the Accounts table's filter (or all in scope), with a header block and the
/// columns an admin needs; the columns an update reads keep the template's names, so the file goes back in as an update
/// (<see cref="AccountUpdate"/>). Every export, from the page or the API, goes through <see cref="PrepareAsync"/>.
/// UTF-8 with BOM, formula-safe (<see cref="ReportCsvWriter"/>), and streamed: one ordered, untracked query whose rows
/// are written to the output as they are read, so 200,000 accounts never sit in memory together.
/// </summary>
public sealed class AccountExport(ScopedDbContextFactory data, TimeProvider clock)
{
    public const string ReportName = "MultiLine accounts";

    /// <summary>
    /// The one entry point of every accounts download: checks the filter's organization in the admin's scope and names the
    /// file. Null when the organization does not exist in the scope.
    /// </summary>
    public async Task<AccountExportFile?> PrepareAsync(AccountExportRequest request, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await data.CreateAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var file = await PrepareAsync(db, request, now, cancellationToken);
        if (file is null)
            return null;
        // Every download is recorded once, before its first byte: who exported which accounts, when, from where.
        var organizationId = request.Search.OrganizationId
            ?? (db.Scope.OrganizationPath is { } path ? await db.Organizations.Where(o => o.Path == path).Select(o => (int?)o.Id).FirstOrDefaultAsync(cancellationToken) : null);
        ActivityLog.Record(db, actor, now.UtcDateTime, ActivityActions.AccountsExport, organizationId, ActivityTargetKind.Report, null, file.FileName,
            file.Filter is { } filter ? $"{file.Organization}; {filter}" : file.Organization);
        await db.SaveChangesAsync(cancellationToken);
        return file;
    }

    /// <summary>Writes the prepared file, reading its rows through a context of its own (the response is written after the endpoint returns).</summary>
    public async Task WriteAsync(AccountExportFile file, Stream output, CancellationToken cancellationToken = default)
    {
        await using var db = await data.CreateAsync(cancellationToken);
        await WriteAsync(db, file, output, cancellationToken);
    }

    internal static async Task<AccountExportFile?> PrepareAsync(MultiLineDbContext db, AccountExportRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var zone = FindTimeZone(request.TimeZone);
        string organization;
        string slug;
        if (request.Search.OrganizationId is { } organizationId)
        {
            var name = await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken);
            if (name is null)
                return null;
            organization = request.Search.IncludeSubOrganizations ? $"{name} and its sub-organizations" : name;
            slug = CsvTemplate.Slug(name);
        }
        else if (db.Scope.OrganizationPath is { } path)
        {
            var name = await db.Organizations.AsNoTracking().Where(o => o.Path == path).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken) ?? "";
            organization = $"{name} and its sub-organizations (all in your scope)";
            slug = CsvTemplate.Slug(name);
        }
        else
        {
            organization = "All organizations";
            slug = "all-organizations";
        }
        var day = TimeZoneInfo.ConvertTime(now, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new AccountExportFile(request, $"accounts-{slug}-{day}.csv", organization, Describe(request), zone, now);
    }

    /// <summary>The header block, the column names, then one line per account, written as the rows arrive.</summary>
    internal static async Task WriteAsync(MultiLineDbContext db, AccountExportFile file, Stream output, CancellationToken cancellationToken)
    {
        await using var csv = ReportCsvWriter.CreateWriter(output);
        // One cell per line, starting with "#": an update from CSV skips these lines before the column names.
        string[] block =
        [
            $"# Report: {ReportName}",
            $"# Generated: {file.GeneratedText}",
            $"# Organization: {file.Organization}",
            $"# Filter: {file.Filter ?? "none"}",
        ];
        foreach (var line in block)
        {
            csv.WriteField(ReportCsvWriter.Neutralize(line));
            await csv.NextRecordAsync();
        }
        await csv.NextRecordAsync();
        foreach (var column in CsvColumns.Export)
            csv.WriteField(column.Name());
        await csv.NextRecordAsync();

        await foreach (var row in Rows(db, file.Request).WithCancellation(cancellationToken))
        {
            Write(csv, row, file.TimeZone);
            await csv.NextRecordAsync();
        }
        await csv.FlushAsync();
    }

    /// <summary>
    /// The accounts of the request in the table's order, read as one untracked query and handed over one at a time. When
    /// the invitation was last sent comes from its email, the activation from the link the account was activated with.
    /// </summary>
    public static IAsyncEnumerable<AccountExportRow> Rows(MultiLineDbContext db, AccountExportRequest request)
    {
        // Read through Visible: the account is in scope already, so its emails and invitations need no scope filter of their own.
        var emails = db.Visible<EmailMessage>();
        var invitations = db.Visible<Invitation>();
        return AccountDirectory.Sorted(AccountDirectory.Filtered(db, request.Search), request.SortBy, request.Descending)
            .Select(a => new AccountExportRow(
                a.FirstName, a.LastName, a.Username, a.Organization!.Name, a.Status, a.Number != null ? a.Number.E164 : null, a.PermissionGroup!.Name,
                emails.Where(m => m.AccountId == a.Id && m.Kind == EmailKind.Invitation).Max(m => m.SentAtUtc),
                invitations.Where(i => i.AccountId == a.Id).Max(i => i.UsedAtUtc),
                a.MonitorCalls, a.MonitorSms, a.SocialMessaging, a.RestrictIncomingSocialMessaging, a.Language))
            .AsAsyncEnumerable();
    }

    private static void Write(CsvWriter csv, AccountExportRow row, TimeZoneInfo zone)
    {
        foreach (var column in CsvColumns.Export)
        {
            csv.WriteField(column switch
            {
                CsvColumn.FirstName => ReportCsvWriter.Neutralize(row.FirstName),
                CsvColumn.LastName => ReportCsvWriter.Neutralize(row.LastName),
                CsvColumn.Username => ReportCsvWriter.Neutralize(row.Username),
                CsvColumn.Organization => ReportCsvWriter.Neutralize(row.Organization),
                CsvColumn.Status => AccountStatuses.Label(row.Status),
                // An E.164 number starts with "+": neutralized like any other cell, and read back by the same rule.
                CsvColumn.MultiLineNumber => ReportCsvWriter.Neutralize(row.Number),
                CsvColumn.PermissionGroup => ReportCsvWriter.Neutralize(row.PermissionGroup),
                CsvColumn.InvitationSent => row.InvitationSentUtc is { } sent ? Format(sent, zone) : "",
                CsvColumn.ActivationDate => row.ActivatedAtUtc is { } activated ? Format(activated, zone) : "",
                CsvColumn.MonitorCalls => AccountCsvText.Text(row.MonitorCalls),
                CsvColumn.MonitorSms => AccountCsvText.Text(row.MonitorSms),
                CsvColumn.SocialMessaging => AccountCsvText.YesNo(row.SocialMessaging),
                CsvColumn.RestrictIncomingSocialMessaging => AccountCsvText.TrueFalse(row.RestrictIncomingSocialMessaging),
                CsvColumn.Language => AccountCsvText.Text(row.Language),
                _ => "",
            });
        }
    }

    /// <summary>A time in the admin's zone as the export writes it: <c>2026-11-26 10:15</c>.</summary>
    internal static string Format(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The zone the browser or the caller named, or UTC when it is missing or unknown here.</summary>
    public static TimeZoneInfo FindTimeZone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>The filter in words for the header block; null when every account in scope is exported.</summary>
    private static string? Describe(AccountExportRequest request)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(request.Search.Text))
            parts.Add($"search \"{request.Search.Text.Trim()}\"");
        if (request.Search.Status is { } status)
            parts.Add($"status {AccountStatuses.Label(status)}");
        if (request.SortBy is { } sort)
            parts.Add($"sorted by {SortLabel(sort)}{(request.Descending ? ", descending" : "")}");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    private static string SortLabel(string column) => column switch
    {
        "PermissionGroup" => "permission group",
        "Number" => "MultiLine number",
        _ => column.ToLowerInvariant(),
    };
}
