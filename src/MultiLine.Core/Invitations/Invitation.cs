using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations.Outbox;

namespace MultiLine.Core.Invitations;

/// <summary>
/// One invitation sent to an account: a single-use activation link with an expiry. Only the SHA-256 hash of the
/// link's token is stored; the token itself lives in the email alone.
/// </summary>
public sealed class Invitation
{
    public int Id { get; set; }
    public int AccountId { get; set; }
    public Account? Account { get; set; }

    /// <summary>Lower-case hex SHA-256 of the token in the activation link.</summary>
    public required string TokenHash { get; set; }

    public Language Language { get; set; }
    public DateTime CreatedAtUtc { get; set; }
    public DateTime ExpiresAtUtc { get; set; }

    /// <summary>When the end user activated with this link. Set once, by a conditional update.</summary>
    public DateTime? UsedAtUtc { get; set; }

    /// <summary>When a newer invitation (a resend) made this one unusable.</summary>
    public DateTime? RevokedAtUtc { get; set; }

    /// <summary>The outbox email carrying the link; its state is the invitation's delivery state.</summary>
    public int? EmailMessageId { get; set; }
    public EmailMessage? EmailMessage { get; set; }
}
