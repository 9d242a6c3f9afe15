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

/// <summary>How many emails were queued; <see cref="Reason"/> says why none were.</summary>
public sealed record NotificationOutcome(int Recipients, string? Reason);

/// <summary>Queues notification emails to an organization's designated admins. Never saves: the caller does, in its own transaction.</summary>
public sealed class NotificationComposer(TimeProvider clock, InvitationIssuer issuer)
{
    public async Task<NotificationOutcome> QueueBatchSummaryAsync(MultiLineDbContext db, int organizationId, BatchNotificationSummary summary, NotificationAttachment? attachment, CancellationToken ct = default)
    {
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
        var note = attachment is null ? "" : $"The report is attached ({attachment.FileName}).";
        return await QueueAsync(db, organizationId, subject, lines, note, attachment, $"{summary.OrganizationName} has no designated admins for batch notifications.", ct);
    }

    /// <summary>Tells the designated admins that the organization's numbers crossed its utilization alert threshold.</summary>
    public async Task<NotificationOutcome> QueueUtilizationAlertAsync(MultiLineDbContext db, Numbers.NumberUtilization utilization, string? link, CancellationToken ct = default)
    {
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
        return await QueueAsync(db, utilization.OrganizationId, subject, lines, note, null, $"{utilization.OrganizationName} has no designated admins for notifications.", ct);
    }

    private async Task<NotificationOutcome> QueueAsync(MultiLineDbContext db, int organizationId, string subject, (string Label, string Value)[] lines, string note,
        NotificationAttachment? attachment, string noRecipients, CancellationToken ct)
    {
        var admins = await db.DesignatedAdmins.Where(d => d.OrganizationId == organizationId)
            .Select(d => new { d.Admin!.Email, d.Admin.DisplayName })
            .ToListAsync(ct);
        if (admins.Count == 0)
            return new NotificationOutcome(0, noRecipients);

        var text = string.Join("\n", lines.Select(l => $"{l.Label}: {l.Value}")) + (note.Length > 0 ? "\n\n" + note : "") + "\n\nMultiLine Portal";
        var html = "<div style=\"font-family:Arial,Helvetica,sans-serif;color:#1f2937\"><h2 style=\"color:#1e3a8a\">" + WebUtility.HtmlEncode(subject) + "</h2><table>"
            + string.Concat(lines.Select(l => $"<tr><td style=\"padding:2px 16px 2px 0;color:#64748b\">{WebUtility.HtmlEncode(l.Label)}</td><td><strong>{WebUtility.HtmlEncode(l.Value)}</strong></td></tr>"))
            + "</table>" + (note.Length > 0 ? $"<p>{WebUtility.HtmlEncode(note)}</p>" : "") + "<p>MultiLine Portal</p></div>";

        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var admin in admins)
        {
            var message = new EmailMessage
            {
                Kind = EmailKind.Notification,
                OrganizationId = organizationId,
                ToAddress = admin.Email,
                ToName = admin.DisplayName,
                Subject = subject,
                HtmlBody = html,
                TextBody = text,
                State = EmailState.Queued,
                CreatedAtUtc = now,
                NextAttemptAtUtc = now,
            };
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
