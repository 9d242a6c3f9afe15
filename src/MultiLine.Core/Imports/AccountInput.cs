namespace MultiLine.Core.Imports;

/// <summary>
/// An account as an admin typed it: plain strings, from a CSV row or the single-account form.
/// Null or empty means "not given".
/// </summary>
public sealed record AccountInput
{
    public string? FirstName { get; set; }
    public string? LastName { get; set; }

    /// <summary>"email address or device": an email address or a phone number with country code.</summary>
    public string? Username { get; set; }

    public string? SocialMessaging { get; set; }
    public string? MultiLineNumber { get; set; }
    public string? MonitorCalls { get; set; }
    public string? MonitorSms { get; set; }
    public string? ForwardingNumber { get; set; }
    public string? RestrictIncomingSocialMessaging { get; set; }
    public string? Language { get; set; }

    /// <summary>The User Permissions group by name: read by an update from CSV; an import takes the group chosen for the upload.</summary>
    public string? PermissionGroup { get; set; }

    public string? this[CsvColumn column] => column switch
    {
        CsvColumn.FirstName => FirstName,
        CsvColumn.LastName => LastName,
        CsvColumn.Username => Username,
        CsvColumn.SocialMessaging => SocialMessaging,
        CsvColumn.MultiLineNumber => MultiLineNumber,
        CsvColumn.MonitorCalls => MonitorCalls,
        CsvColumn.MonitorSms => MonitorSms,
        CsvColumn.ForwardingNumber => ForwardingNumber,
        CsvColumn.RestrictIncomingSocialMessaging => RestrictIncomingSocialMessaging,
        CsvColumn.Language => Language,
        CsvColumn.PermissionGroup => PermissionGroup,
        _ when !column.IsImported() => null,
        _ => throw new ArgumentOutOfRangeException(nameof(column)),
    };

    internal void Set(CsvColumn column, string value)
    {
        switch (column)
        {
            case CsvColumn.FirstName: FirstName = value; break;
            case CsvColumn.LastName: LastName = value; break;
            case CsvColumn.Username: Username = value; break;
            case CsvColumn.SocialMessaging: SocialMessaging = value; break;
            case CsvColumn.MultiLineNumber: MultiLineNumber = value; break;
            case CsvColumn.MonitorCalls: MonitorCalls = value; break;
            case CsvColumn.MonitorSms: MonitorSms = value; break;
            case CsvColumn.ForwardingNumber: ForwardingNumber = value; break;
            case CsvColumn.RestrictIncomingSocialMessaging: RestrictIncomingSocialMessaging = value; break;
            case CsvColumn.Language: Language = value; break;
            case CsvColumn.PermissionGroup: PermissionGroup = value; break;
            default:
                break; // the export's read-only columns: their values are not input
        }
    }
}
