using System.Net;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations;

/// <summary>The summary of a finished batch operation, as the designated admins' email tells it.</summary>
public sealed record BatchNotificationSummary(
    string Operation, string OrganizationName, string State, int Succeeded, int Failed, int Skipped, string? StartedBy, DateTime FinishedAtUtc,
    TimeSpan? Duration = null, string? Link = null);

/// <summary>A file to attach to a notification, such as the Batch Operations Report CSV.</summary>
public sealed record NotificationAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>
/// The report a summary email carries: built only when someone will receive it, or, when it is too large for an email,
/// <see cref="NotAttached"/> says why and where to download it instead.
/// </summary>
public sealed record SummaryReport(Func<CancellationToken, Task<NotificationAttachment>>? Build, string? NotAttached = null)
{
    public static SummaryReport Attached(NotificationAttachment attachment) => new(_ => Task.FromResult(attachment));
}

/// <summary>How many emails were queued; <see cref="Reason"/> says why none were.</summary>
public sealed record NotificationOutcome(int Recipients, string? Reason);

/// <summary>Queues notification emails to an organization's designated admins. Never saves: the caller does, in its own transaction.</summary>
public sealed class NotificationComposer(TimeProvider clock, InvitationIssuer issuer)
{
    public async Task<NotificationOutcome> QueueBatchSummaryAsync(MultiLineDbContext db, int organizationId, BatchNotificationSummary summary, SummaryReport? report, CancellationToken ct = default)
    {
        var admins = await db.DesignatedAdmins.Where(d => d.OrganizationId == organizationId)
            .Select(d => new { d.Admin!.Email, d.Admin.DisplayName })
            .ToListAsync(ct);
        if (admins.Count == 0)
            return new NotificationOutcome(0, $"{summary.OrganizationName} has no designated admins for batch notifications.");

        var subject = $"{summary.Operation} for {summary.OrganizationName}: {summary.State}";
        var lines = new (string Label, string Value)[]
        {
            ("Operation", summary.Operation),
            ("Organization", summary.OrganizationName),
            ("State", summary.State),
            ("Succeeded", summary.Succeeded.ToString("N0")),
            ("Failed", summary.Failed.ToString("N0")),
            ("Skipped", summary.Skipped.ToString("N0")),
            ("Started by", summary.StartedBy ?? "—"),
            ("Finished", summary.FinishedAtUtc.ToString("yyyy-MM-dd HH:mm 'UTC'")),
            ("Duration", summary.Duration is { } duration ? FormatDuration(duration) : "—"),
            ("Details", summary.Link ?? "—"),
        };
        var attachment = report?.Build is { } build ? await build(ct) : null;
        var note = attachment is not null ? $"The report is attached ({attachment.FileName})." : report?.NotAttached ?? "";
        return Queue(db, organizationId, admins.Select(a => (a.Email, a.DisplayName)).ToList(), subject, lines, note, attachment);
    }

    /// <summary>Tells the designated admins that the organization's numbers crossed its utilization alert threshold.</summary>
    public async Task<NotificationOutcome> QueueUtilizationAlertAsync(MultiLineDbContext db, Numbers.NumberUtilization utilization, string? link, CancellationToken ct = default)
    {
        var admins = await db.DesignatedAdmins.Where(d => d.OrganizationId == utilization.OrganizationId)
            .Select(d => new { d.Admin!.Email, d.Admin.DisplayName })
            .ToListAsync(ct);
        if (admins.Count == 0)
            return new NotificationOutcome(0, $"{utilization.OrganizationName} has no designated admins for notifications.");
        var subject = $"{utilization.OrganizationName} is running out of MultiLine numbers: {utilization.UsedPercent} % in use";
        var lines = new (string Label, string Value)[]
        {
            ("Organization", utilization.OrganizationName),
            ("In use", $"{utilization.UsedPercent} % ({utilization.InUse:N0} of {utilization.Total:N0})"),
            ("Alert threshold", $"{utilization.ThresholdPercent} %"),
            ("Available", utilization.Available.ToString("N0")),
            ("Reserved", utilization.Reserved.ToString("N0")),
            ("Assigned", utilization.Assigned.ToString("N0")),
            ("Registered", utilization.Registered.ToString("N0")),
            ("Allocated to sub-organizations", utilization.AllocatedToSubOrganizations.ToString("N0")),
            ("Details", link ?? "—"),
        };
        const string note = "Add numbers, or withdraw unused numbers from sub-organizations, before new accounts run short. You get this email once each time utilization crosses the threshold.";
        return Queue(db, utilization.OrganizationId, admins.Select(a => (a.Email, a.DisplayName)).ToList(), subject, lines, note, null);
    }

    private NotificationOutcome Queue(MultiLineDbContext db, int organizationId, List<(string Email, string DisplayName)> admins, string subject,
        (string Label, string Value)[] lines, string note, NotificationAttachment? attachment)
    {
        var text = string.Join("\n", lines.Select(l => $"{l.Label}: {l.Value}")) + (note.Length > 0 ? "\n\n" + note : "") + "\n\nMultiLine Portal";
        var html = "<div style=\"font-family:Arial,Helvetica,sans-serif;color:#1f2937\"><h2 style=\"color:#1e3a8a\">" + WebUtility.HtmlEncode(subject) + "</h2><table>"
            + string.Concat(lines.Select(l => $"<tr><td style=\"padding:2px 16px 2px 0;color:#64748b\">{WebUtility.HtmlEncode(l.Label)}</td><td><strong>{WebUtility.HtmlEncode(l.Value)}</strong></td></tr>"))
            + "</table>" + (note.Length > 0 ? $"<p>{WebUtility.HtmlEncode(note)}</p>" : "") + "<p>MultiLine Portal</p></div>";

        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var admin in admins)
        {
            var message = EmailMessage.Queued(EmailKind.Notification, organizationId, admin.Email, admin.DisplayName, subject, html, text, now);
            if (attachment is not null)
                message.Attachments.Add(new EmailAttachment { FileName = attachment.FileName, ContentType = attachment.ContentType, Content = attachment.Content });
            db.EmailMessages.Add(message);
        }
        issuer.WakeSenderOnSave(db);
        return new NotificationOutcome(admins.Count, null);
    }

    private static string FormatDuration(TimeSpan duration) => duration.TotalSeconds < 60
        ? $"{Math.Max(1, Math.Round(duration.TotalSeconds))} s"
        : $"{(int)duration.TotalMinutes} min {duration.Seconds} s";
}
