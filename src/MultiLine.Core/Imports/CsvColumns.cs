using System.Collections.Frozen;

namespace MultiLine.Core.Imports;

/// <summary>
/// The columns of the account CSV, in the documented order; then the columns only the accounts export writes
/// (<see cref="CsvColumns.Export"/>), which an update from CSV reads (permission group) or notes as read-only.
/// </summary>
public enum CsvColumn
{
    FirstName,
    LastName,
    Username,
    SocialMessaging,
    MultiLineNumber,
    MonitorCalls,
    MonitorSms,
    ForwardingNumber,
    RestrictIncomingSocialMessaging,
    Language,
    Organization,
    Status,
    PermissionGroup,
    InvitationSent,
    ActivationDate,
}

/// <summary>Names, aliases and header matching of the account CSV columns.</summary>
public static class CsvColumns
{
    /// <summary>The import's columns, in the order of the help article and the template.</summary>
    public static readonly IReadOnlyList<CsvColumn> All =
    [
        CsvColumn.FirstName, CsvColumn.LastName, CsvColumn.Username, CsvColumn.SocialMessaging, CsvColumn.MultiLineNumber,
        CsvColumn.MonitorCalls, CsvColumn.MonitorSms, CsvColumn.ForwardingNumber, CsvColumn.RestrictIncomingSocialMessaging, CsvColumn.Language,
    ];

    /// <summary>
    /// The accounts export's columns, in its order. Columns an import or update reads keep the template's names, so the
    /// file goes back in as an update unchanged.
    /// </summary>
    public static readonly IReadOnlyList<CsvColumn> Export =
    [
        CsvColumn.FirstName, CsvColumn.LastName, CsvColumn.Username, CsvColumn.Organization, CsvColumn.Status, CsvColumn.MultiLineNumber,
        CsvColumn.PermissionGroup, CsvColumn.InvitationSent, CsvColumn.ActivationDate, CsvColumn.MonitorCalls, CsvColumn.MonitorSms,
        CsvColumn.SocialMessaging, CsvColumn.RestrictIncomingSocialMessaging, CsvColumn.Language,
    ];

    /// <summary>Columns the export writes for reading only: an update from CSV ignores their values and says so.</summary>
    public static readonly IReadOnlyList<CsvColumn> ReadOnly =
        [CsvColumn.Organization, CsvColumn.Status, CsvColumn.MultiLineNumber, CsvColumn.InvitationSent, CsvColumn.ActivationDate];

    public static readonly IReadOnlyList<CsvColumn> Required =
        [CsvColumn.Username, CsvColumn.SocialMessaging, CsvColumn.MonitorCalls, CsvColumn.MonitorSms];

    private static readonly string[] Names =
    [
        "firstname", "lastname", "email address or device", "social_messaging", "multiline_number",
        "monitor_calls", "monitor_sms", "forwarding_number", "restrict_incoming_social_messaging", "language",
        "organization", "status", "permission_group", "invitation_sent", "activation_date",
    ];

    // Keys are headers reduced to lower-case letters and digits, so "E-mail", "First Name" and "primary_number" match.
    private static readonly FrozenDictionary<string, CsvColumn> Aliases = new Dictionary<string, CsvColumn>
    {
        ["firstname"] = CsvColumn.FirstName, ["first"] = CsvColumn.FirstName, ["givenname"] = CsvColumn.FirstName,
        ["forename"] = CsvColumn.FirstName, ["fname"] = CsvColumn.FirstName,
        ["lastname"] = CsvColumn.LastName, ["last"] = CsvColumn.LastName, ["surname"] = CsvColumn.LastName,
        ["familyname"] = CsvColumn.LastName, ["lname"] = CsvColumn.LastName,
        ["emailaddressordevice"] = CsvColumn.Username, ["emailordevice"] = CsvColumn.Username,
        ["emailaddress"] = CsvColumn.Username, ["email"] = CsvColumn.Username, ["username"] = CsvColumn.Username,
        ["device"] = CsvColumn.Username, ["emailaddressorphone"] = CsvColumn.Username, ["emailorphone"] = CsvColumn.Username,
        ["socialmessaging"] = CsvColumn.SocialMessaging, ["social"] = CsvColumn.SocialMessaging,
        ["multilinenumber"] = CsvColumn.MultiLineNumber, ["multiline"] = CsvColumn.MultiLineNumber,
        ["primarynumber"] = CsvColumn.MultiLineNumber, ["number"] = CsvColumn.MultiLineNumber,
        ["multilinephonenumber"] = CsvColumn.MultiLineNumber,
        ["monitorcalls"] = CsvColumn.MonitorCalls, ["callmonitoring"] = CsvColumn.MonitorCalls, ["recordcalls"] = CsvColumn.MonitorCalls,
        ["monitorsms"] = CsvColumn.MonitorSms, ["smsmonitoring"] = CsvColumn.MonitorSms, ["recordsms"] = CsvColumn.MonitorSms,
        ["forwardingnumber"] = CsvColumn.ForwardingNumber, ["forwarding"] = CsvColumn.ForwardingNumber,
        ["forwardto"] = CsvColumn.ForwardingNumber, ["forwardnumber"] = CsvColumn.ForwardingNumber,
        ["restrictincomingsocialmessaging"] = CsvColumn.RestrictIncomingSocialMessaging,
        ["restrictincoming"] = CsvColumn.RestrictIncomingSocialMessaging,
        ["restrictsocialmessaging"] = CsvColumn.RestrictIncomingSocialMessaging,
        ["language"] = CsvColumn.Language, ["lang"] = CsvColumn.Language, ["locale"] = CsvColumn.Language,
        ["organization"] = CsvColumn.Organization, ["organisation"] = CsvColumn.Organization,
        ["status"] = CsvColumn.Status, ["accountstatus"] = CsvColumn.Status,
        ["permissiongroup"] = CsvColumn.PermissionGroup, ["userpermissions"] = CsvColumn.PermissionGroup,
        ["permissions"] = CsvColumn.PermissionGroup, ["group"] = CsvColumn.PermissionGroup,
        ["invitationsent"] = CsvColumn.InvitationSent, ["invited"] = CsvColumn.InvitationSent,
        ["activationdate"] = CsvColumn.ActivationDate, ["activated"] = CsvColumn.ActivationDate,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, CsvColumn> ByProperty =
        Enum.GetValues<CsvColumn>().ToFrozenDictionary(c => c.ToString(), c => c);

    /// <summary>The column's name as the template and the messages write it, e.g. <c>monitor_sms</c>.</summary>
    public static string Name(this CsvColumn column) => Names[(int)column];

    public static bool IsRequired(this CsvColumn column) => Required.Contains(column);

    /// <summary>True for the columns an import reads (<see cref="All"/>); the others come from the accounts export.</summary>
    public static bool IsImported(this CsvColumn column) => column <= CsvColumn.Language;

    /// <summary>Matches a header cell: case-insensitive, ignoring spaces, underscores, hyphens and other punctuation.</summary>
    public static bool TryMatch(string header, out CsvColumn column)
    {
        Span<char> buffer = stackalloc char[Math.Min(header.Length, 128)];
        var length = 0;
        foreach (var c in header)
        {
            if (!char.IsLetterOrDigit(c))
                continue;
            if (length == buffer.Length)
                break;
            buffer[length++] = char.ToLowerInvariant(c);
        }
        return Aliases.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(buffer[..length], out column);
    }

    /// <summary>The column behind an <see cref="AccountInput"/> property name (as FluentValidation reports it).</summary>
    public static bool TryFromProperty(string propertyName, out CsvColumn column) => ByProperty.TryGetValue(propertyName, out column);

    /// <summary>Spreadsheet letter of a zero-based column index: 0 → A, 26 → AA.</summary>
    public static string Letter(int index)
    {
        var letters = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
            letters = (char)('A' + (n - 1) % 26) + letters;
        return letters;
    }

    /// <summary>"a", "a and b", "a, b and c".</summary>
    internal static string JoinAnd(IReadOnlyList<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };
}
