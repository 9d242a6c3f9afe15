using MultiLine.Core.Accounts;

namespace MultiLine.Core.Imports;

/// <summary>
/// An account's settings as the CSV writes them (the template's accepted values): the accounts export writes them, and an
/// update from CSV fills a column the file leaves empty with them, so the import's rules read both alike.
/// </summary>
public static class AccountCsvText
{
    public static string YesNo(bool value) => value ? "Yes" : "No";

    public static string TrueFalse(bool value) => value ? "true" : "false";

    public static string Text(MonitorCalls value) => value == MonitorCalls.Auto ? "auto" : "off";

    public static string Text(MonitorSms value) => value == MonitorSms.On ? "on" : "off";

    public static string Text(Language value) => value.ToString();
}
