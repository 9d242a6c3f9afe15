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
    Language Language);
