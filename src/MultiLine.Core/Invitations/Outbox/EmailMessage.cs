using MultiLine.Core.Accounts;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>
/// A row of the transactional outbox: an email written in the same transaction as the change that causes it, and
/// delivered later by <see cref="OutboxSender"/>.
/// </summary>
public sealed class EmailMessage
{
    /// <summary>A message ready for the sender: Queued, due at once. The one way code puts an email in the outbox.</summary>
    public static EmailMessage Queued(EmailKind kind, int? organizationId, string toAddress, string? toName, string subject, string htmlBody, string textBody, DateTime nowUtc) => new()
    {
        Kind = kind,
        OrganizationId = organizationId,
        ToAddress = toAddress,
        ToName = toName,
        Subject = subject,
        HtmlBody = htmlBody,
        TextBody = textBody,
        State = EmailState.Queued,
        CreatedAtUtc = nowUtc,
        NextAttemptAtUtc = nowUtc,
    };

    public int Id { get; set; }
    public EmailKind Kind { get; set; }
    public int? OrganizationId { get; set; }
    public Organization? Organization { get; set; }

    /// <summary>The invited account, for invitation emails: a permanent failure marks it Invitation failed.</summary>
    public int? AccountId { get; set; }
    public Account? Account { get; set; }

    public required string ToAddress { get; set; }
    public string? ToName { get; set; }
    public required string Subject { get; set; }
    public required string HtmlBody { get; set; }
    public required string TextBody { get; set; }

    public EmailState State { get; set; }

    /// <summary>Delivery runs so far (each run may itself retry a few times).</summary>
    public int Attempts { get; set; }

    /// <summary>The SMTP reply or connection error of the last failed attempt.</summary>
    public string? LastError { get; set; }

    public DateTime CreatedAtUtc { get; set; }
    public DateTime NextAttemptAtUtc { get; set; }
    public DateTime? SentAtUtc { get; set; }

    /// <summary>The sender that leased the message for delivery, and until when; another sender takes it only after the lease ends.</summary>
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimExpiresAtUtc { get; set; }

    /// <summary>File name in the pickup folder when no SMTP server is configured.</summary>
    public string? PickupFile { get; set; }

    public List<EmailAttachment> Attachments { get; set; } = [];
}

/// <summary>A file attached to an outbox email, such as a batch report CSV.</summary>
public sealed class EmailAttachment
{
    public int Id { get; set; }
    public int EmailMessageId { get; set; }
    public EmailMessage? EmailMessage { get; set; }
    public required string FileName { get; set; }
    public required string ContentType { get; set; }
    public required byte[] Content { get; set; }
}

public enum EmailKind
{
    Invitation = 0,
    Notification = 1,

    /// <summary>An administrator's invitation with the link to set their password.</summary>
    AdminInvitation = 2,
}

public enum EmailState
{
    Queued = 0,
    Sent = 1,
    Failed = 2,

    /// <summary>A resend replaced this invitation before it went out; it is never delivered.</summary>
    Superseded = 3,

    /// <summary>The account was deleted before this invitation went out; it is never delivered.</summary>
    Withdrawn = 4,
}

public static class EmailStates
{
    public static string Label(EmailState state, bool savedToPickupFolder = false) => state switch
    {
        EmailState.Queued => "Queued",
        EmailState.Sent when savedToPickupFolder => "Saved as .eml",
        EmailState.Sent => "Sent",
        EmailState.Failed => "Failed",
        EmailState.Superseded => "Replaced by a resend",
        EmailState.Withdrawn => "Withdrawn: account deleted",
        _ => state.ToString(),
    };
}
