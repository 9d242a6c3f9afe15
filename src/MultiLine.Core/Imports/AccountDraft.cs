using MultiLine.Core.Accounts;

namespace MultiLine.Core.Imports;

/// <summary>A valid account input, normalized and typed, ready to become an <see cref="Account"/>.</summary>
public sealed record AccountDraft(
    string? FirstName,
    string? LastName,
    Username Username,
    bool SocialMessaging,
    string? MultiLineNumber,
    MonitorCalls MonitorCalls,
    MonitorSms MonitorSms,
    string? ForwardingNumber,
    bool RestrictIncomingSocialMessaging,
    Language Language)
{
    /// <summary>The new account, not invited yet, in the given organization and permission group.</summary>
    public Account ToAccount(int organizationId, int permissionGroupId, DateTime nowUtc) => new()
    {
        FirstName = FirstName,
        LastName = LastName,
        Username = Username.Value,
        NormalizedUsername = Username.Normalized,
        OrganizationId = organizationId,
        PermissionGroupId = permissionGroupId,
        SocialMessaging = SocialMessaging,
        RestrictIncomingSocialMessaging = RestrictIncomingSocialMessaging,
        MonitorCalls = MonitorCalls,
        MonitorSms = MonitorSms,
        ForwardingNumber = ForwardingNumber,
        Language = Language,
        Status = AccountStatus.NotInvited,
        CreatedAtUtc = nowUtc,
    };
}
