using MultiLine.Core.Imports;

namespace MultiLine.Core.Accounts;

/// <summary>
/// One set of settings applied to many accounts (bulk Edit): each value given replaces the account's, each null keeps
/// it. It changes nothing by itself: <see cref="ApplyTo"/> turns it into the account's whole input, which then goes
/// through the single edit's validator and rules (<see cref="AccountLifecycle.ApplyEditAsync"/>).
/// </summary>
public sealed record AccountSettingsChange(
    MonitorCalls? MonitorCalls = null,
    MonitorSms? MonitorSms = null,
    bool? SocialMessaging = null,
    bool? RestrictIncomingSocialMessaging = null,
    Language? Language = null,
    int? PermissionGroupId = null)
{
    public bool IsEmpty => MonitorCalls is null && MonitorSms is null && SocialMessaging is null
        && RestrictIncomingSocialMessaging is null && Language is null && PermissionGroupId is null;

    /// <summary>The account's stored values (<paramref name="current"/>) with this change's values put in, in the CSV's words.</summary>
    public AccountInput ApplyTo(AccountInput current)
    {
        var social = SocialMessaging ?? string.Equals(current.SocialMessaging, "Yes", StringComparison.OrdinalIgnoreCase);
        return current with
        {
            MonitorCalls = MonitorCalls is { } calls ? AccountInputs.Word(calls) : current.MonitorCalls,
            MonitorSms = MonitorSms is { } sms ? AccountInputs.Word(sms) : current.MonitorSms,
            SocialMessaging = social ? "Yes" : "No",
            // The restrict flag only applies with social messaging: switching it off drops the flag, as a CSV row would.
            RestrictIncomingSocialMessaging = !social ? null
                : RestrictIncomingSocialMessaging is { } restrict ? (restrict ? "true" : "false")
                : current.RestrictIncomingSocialMessaging ?? "false",
            Language = Language?.ToString() ?? current.Language,
        };
    }

    /// <summary>What the change sets, in the admin's words, e.g. "Monitor calls: auto; Language: German".</summary>
    public IReadOnlyList<string> Describe(string? permissionGroupName)
    {
        var parts = new List<string>();
        if (MonitorCalls is { } calls) parts.Add($"Monitor calls: {AccountInputs.Word(calls)}");
        if (MonitorSms is { } sms) parts.Add($"Monitor SMS: {AccountInputs.Word(sms)}");
        if (SocialMessaging is { } social) parts.Add($"Social messaging: {(social ? "on" : "off")}");
        if (RestrictIncomingSocialMessaging is { } restrict) parts.Add($"Restrict incoming social messaging: {(restrict ? "on" : "off")}");
        if (Language is { } language) parts.Add($"Language: {language}");
        if (PermissionGroupId is not null) parts.Add($"User Permissions: {permissionGroupName ?? "(unknown group)"}");
        return parts;
    }
}

/// <summary>An account's stored values written as the edit form and the CSV write them.</summary>
public static class AccountInputs
{
    public static AccountInput Stored(string? firstName, string? lastName, string username, bool socialMessaging, bool restrictIncoming,
        string? number, MonitorCalls monitorCalls, MonitorSms monitorSms, string? forwardingNumber, Language language) => new()
    {
        FirstName = firstName,
        LastName = lastName,
        Username = username,
        SocialMessaging = socialMessaging ? "Yes" : "No",
        MultiLineNumber = number,
        MonitorCalls = Word(monitorCalls),
        MonitorSms = Word(monitorSms),
        ForwardingNumber = forwardingNumber,
        RestrictIncomingSocialMessaging = socialMessaging ? (restrictIncoming ? "true" : "false") : null,
        Language = language.ToString(),
    };

    /// <summary>The stored values of a loaded account (its number included when loaded).</summary>
    public static AccountInput Of(Account account) => Stored(account.FirstName, account.LastName, account.Username, account.SocialMessaging,
        account.RestrictIncomingSocialMessaging, account.Number?.E164, account.MonitorCalls, account.MonitorSms, account.ForwardingNumber, account.Language);

    public static string Word(MonitorCalls calls) => calls == MonitorCalls.Auto ? "auto" : "off";
    public static string Word(MonitorSms sms) => sms == MonitorSms.On ? "on" : "off";
}
