using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Accounts;

/// <summary>A MultiLine user account, from import until it is active.</summary>
public sealed class Account
{
    public int Id { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }

    /// <summary>The email address or phone number as the admin entered it (phone numbers in E.164).</summary>
    public required string Username { get; set; }

    /// <summary>Lower-case email or E.164 phone number. Unique across the whole system.</summary>
    public required string NormalizedUsername { get; set; }

    public int OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public int PermissionGroupId { get; set; }
    public PermissionGroup? PermissionGroup { get; set; }

    public bool SocialMessaging { get; set; }
    public bool RestrictIncomingSocialMessaging { get; set; }
    public MonitorCalls MonitorCalls { get; set; }
    public MonitorSms MonitorSms { get; set; }
    public string? ForwardingNumber { get; set; }
    public Language Language { get; set; } = Language.English;

    public AccountStatus Status { get; set; }

    /// <summary>While <see cref="AccountStatus.Suspended"/>: the status Unsuspend gives back. Null otherwise.</summary>
    public AccountStatus? StatusBeforeSuspension { get; set; }

    /// <summary>Why the last invitation failed, shown on hover in the Accounts table.</summary>
    public string? InvitationError { get; set; }

    public DateTime CreatedAtUtc { get; set; }

    public MultiLineNumber? Number { get; set; }

    /// <summary>
    /// Whether a number names this account as its holder: what free capacity counts, kept by the database itself (see
    /// docs/adr-holds-number.md). Written only by the database's triggers on Numbers, never by the app; read it in queries.
    /// </summary>
    public bool HoldsNumber { get; private set; }

    public string DisplayName => string.Join(' ', new[] { FirstName, LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));
}

public enum AccountStatus
{
    NotInvited = 0,
    Invited = 1,
    InvitationFailed = 2,
    Active = 3,
    Suspended = 4,
}

public enum MonitorCalls { Off = 0, Auto = 1 }

public enum MonitorSms { Off = 0, On = 1 }

public enum Language { English = 0, Italian = 1, German = 2, French = 3, Spanish = 4 }

public static class AccountStatuses
{
    /// <summary>Invited or imported but not yet active.</summary>
    public static readonly AccountStatus[] Pending = [AccountStatus.NotInvited, AccountStatus.Invited, AccountStatus.InvitationFailed];

    public static bool IsPending(AccountStatus status) => Pending.Contains(status);

    public static string Label(AccountStatus status) => status switch
    {
        AccountStatus.NotInvited => "Not invited",
        AccountStatus.Invited => "Invited",
        AccountStatus.InvitationFailed => "Invitation failed",
        AccountStatus.Active => "Active",
        AccountStatus.Suspended => "Suspended",
        _ => status.ToString(),
    };
}
