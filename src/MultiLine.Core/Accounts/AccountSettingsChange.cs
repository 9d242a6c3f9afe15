using MultiLine.Core.Imports;

namespace MultiLine.Core.Accounts;

/// <summary>
/// A settings change (<see cref="AccountSettingsChange"/>, shared with the update from CSV) as a bulk Edit uses it: each
/// value given replaces the account's, each null keeps it. <see cref="ApplyTo"/> turns it into the account's whole input,
/// which then goes through the single edit's validator and rules (<see cref="AccountLifecycle.ApplyEditAsync"/>).
/// </summary>
public static class AccountSettingsChanges
{
    public static bool IsEmpty(this AccountSettingsChange change) => change.Fields == AccountFields.None;

    /// <summary>The account's stored values (<paramref name="current"/>) with the change's values put in, in the CSV's words.</summary>
    public static AccountInput ApplyTo(this AccountSettingsChange change, AccountInput current)
    {
        var social = change.SocialMessaging ?? string.Equals(current.SocialMessaging, "Yes", StringComparison.OrdinalIgnoreCase);
        return current with
        {
            FirstName = change.FirstName ?? current.FirstName,
            LastName = change.LastName ?? current.LastName,
            ForwardingNumber = change.ForwardingNumber ?? current.ForwardingNumber,
            MonitorCalls = change.MonitorCalls is { } calls ? AccountInputs.Word(calls) : current.MonitorCalls,
            MonitorSms = change.MonitorSms is { } sms ? AccountInputs.Word(sms) : current.MonitorSms,
            SocialMessaging = social ? "Yes" : "No",
            // The restrict flag only applies with social messaging: switching it off drops the flag, as a CSV row would.
            RestrictIncomingSocialMessaging = !social ? null
                : change.RestrictIncomingSocialMessaging is { } restrict ? (restrict ? "true" : "false")
                : current.RestrictIncomingSocialMessaging ?? "false",
            Language = change.Language?.ToString() ?? current.Language,
        };
    }

    /// <summary>What the change sets, in the admin's words, e.g. "Monitor calls: auto; Language: German".</summary>
    public static IReadOnlyList<string> Describe(this AccountSettingsChange change, string? permissionGroupName)
    {
        var parts = new List<string>();
        if (change.FirstName is { } first) parts.Add($"First name: {first}");
        if (change.LastName is { } last) parts.Add($"Last name: {last}");
        if (change.MonitorCalls is { } calls) parts.Add($"Monitor calls: {AccountInputs.Word(calls)}");
        if (change.MonitorSms is { } sms) parts.Add($"Monitor SMS: {AccountInputs.Word(sms)}");
        if (change.SocialMessaging is { } social) parts.Add($"Social messaging: {(social ? "on" : "off")}");
        if (change.RestrictIncomingSocialMessaging is { } restrict) parts.Add($"Restrict incoming social messaging: {(restrict ? "on" : "off")}");
        if (change.ForwardingNumber is { } forwarding) parts.Add($"Forwarding number: {forwarding}");
        if (change.Language is { } language) parts.Add($"Language: {language}");
        if (change.PermissionGroupId is not null) parts.Add($"User Permissions: {permissionGroupName ?? "(unknown group)"}");
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
