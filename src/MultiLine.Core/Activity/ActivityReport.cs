using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Activity;

/// <summary>
/// The Administrator Activity report's filter: a time range (UTC, <see cref="ToUtc"/> exclusive), text in the admin's
/// name (or the address typed at a failed sign-in), an organization (with its sub-organizations), an action code and a source.
/// </summary>
public sealed record ActivityFilter(
    DateTime? FromUtc = null, DateTime? ToUtc = null, string? Admin = null, int? OrganizationId = null, string? Action = null, ActivitySource? Source = null);

/// <summary>One line of the report. <see cref="TargetExists"/> says whether the account or batch it names can still be opened.</summary>
public sealed record ActivityRow(
    long Id, DateTime AtUtc, int? AdminId, string AdminName, int? OrganizationId, string? Organization, string Action, ActivityTargetKind TargetKind,
    string? TargetId, string? TargetName, string? Details, string? ClientIp, ActivitySource Source, bool TargetExists = false)
{
    public string ActionLabel => ActivityActions.Label(Action);
}

/// <summary>
/// Reads the activity record for the report page, its CSV and the API, through the admin's scoped context: the entries
/// filter lets through only their subtree's organizations (an admin of all organizations also sees entries of none, such
/// as a sign-in with an unknown address). Newest first, ties by id, so paging is stable.
/// </summary>
public static class ActivityReport
{
    public static IQueryable<ActivityEntry> Filtered(MultiLineDbContext db, ActivityFilter filter)
    {
        var query = db.ActivityEntries.AsNoTracking();
        if (filter.FromUtc is { } from)
            query = query.Where(e => e.AtUtc >= from);
        if (filter.ToUtc is { } to)
            query = query.Where(e => e.AtUtc < to);
        if (filter.OrganizationId is { } organizationId)
        {
            var organizations = db.Organizations;
            var subtree = organizations.Where(o => organizations.Any(root => root.Id == organizationId && o.Path.StartsWith(root.Path))).Select(o => o.Id);
            query = query.Where(e => e.OrganizationId != null && subtree.Contains(e.OrganizationId.Value));
        }
        if (!string.IsNullOrWhiteSpace(filter.Action))
            query = query.Where(e => e.Action == filter.Action);
        if (filter.Source is { } source)
            query = query.Where(e => e.Source == source);
        if (TextSearch.ContainsPattern(filter.Admin) is { } pattern)
            query = query.Where(e => EF.Functions.Like(e.AdminName.ToLower(), pattern, TextSearch.Escape));
        return query;
    }

    /// <summary>The filter's entries in the report's order, as rows with the organization's name.</summary>
    public static IQueryable<ActivityRow> Rows(MultiLineDbContext db, ActivityFilter filter) =>
        Filtered(db, filter)
            .OrderByDescending(e => e.AtUtc).ThenByDescending(e => e.Id)
            .Select(e => new ActivityRow(e.Id, e.AtUtc, e.AdminId, e.AdminName, e.OrganizationId,
                db.Organizations.Where(o => o.Id == e.OrganizationId).Select(o => o.Name).FirstOrDefault(),
                e.Action, e.TargetKind, e.TargetId, e.TargetName, e.Details, e.ClientIp, e.Source, false));

    public static async Task<Page<ActivityRow>> PageAsync(MultiLineDbContext db, ActivityFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var total = await Filtered(db, filter).CountAsync(cancellationToken);
        var rows = await Rows(db, filter).Skip(page.Skip).Take(page.Take).ToListAsync(cancellationToken);
        return new Page<ActivityRow>(await WithTargetsAsync(db, rows, cancellationToken), total);
    }

    /// <summary>Marks the rows whose account or batch still exists in the admin's scope, so the page links only those.</summary>
    private static async Task<IReadOnlyList<ActivityRow>> WithTargetsAsync(MultiLineDbContext db, List<ActivityRow> rows, CancellationToken cancellationToken)
    {
        static List<int> Ids(IEnumerable<ActivityRow> rows, ActivityTargetKind kind) =>
            rows.Where(r => r.TargetKind == kind && int.TryParse(r.TargetId, System.Globalization.CultureInfo.InvariantCulture, out _))
                .Select(r => int.Parse(r.TargetId!, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        var accountIds = Ids(rows, ActivityTargetKind.Account);
        var batchIds = Ids(rows, ActivityTargetKind.Batch);
        var accounts = accountIds.Count == 0 ? [] : (await db.Accounts.Where(a => accountIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken)).ToHashSet();
        var batches = batchIds.Count == 0 ? [] : (await db.Batches.Where(b => batchIds.Contains(b.Id)).Select(b => b.Id).ToListAsync(cancellationToken)).ToHashSet();
        return rows.Select(r => r with
        {
            TargetExists = int.TryParse(r.TargetId, System.Globalization.CultureInfo.InvariantCulture, out var id)
                && (r.TargetKind == ActivityTargetKind.Account ? accounts.Contains(id) : r.TargetKind == ActivityTargetKind.Batch && batches.Contains(id)),
        }).ToList();
    }

    public static string SourceLabel(ActivitySource source) => source switch
    {
        ActivitySource.Api => "API",
        _ => source.ToString(),
    };

    /// <summary>The filter in words, for the CSV's header block; null when it is the whole record in scope.</summary>
    public static string? Describe(ActivityFilter filter, string? organizationName)
    {
        var parts = new List<string>();
        if (filter.FromUtc is { } from)
            parts.Add($"from {from:yyyy-MM-dd HH:mm} UTC");
        if (filter.ToUtc is { } to)
            parts.Add($"before {to:yyyy-MM-dd HH:mm} UTC");
        if (!string.IsNullOrWhiteSpace(filter.Admin))
            parts.Add($"admin \"{filter.Admin.Trim()}\"");
        if (organizationName is not null)
            parts.Add($"organization {organizationName} and its sub-organizations");
        if (!string.IsNullOrWhiteSpace(filter.Action))
            parts.Add($"action {ActivityActions.Label(filter.Action)}");
        if (filter.Source is { } source)
            parts.Add($"source {SourceLabel(source)}");
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }
}
