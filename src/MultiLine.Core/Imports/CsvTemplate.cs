using System.Globalization;
using System.Text;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Imports;

/// <summary>
/// The downloadable CSV template for one organization: the header in the documented order, a "Note" row of
/// instructions the admin deletes, and one example row that is valid for that organization.
/// </summary>
public sealed record CsvTemplate(string FileName, IReadOnlyList<CsvColumn> Columns, string Content)
{
    /// <summary>UTF-8 with BOM, so Excel opens accents correctly.</summary>
    public byte[] ToBytes() => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Content)];

    public static CsvTemplate For(Organization organization)
    {
        var columns = CsvColumns.All
            .Where(c => c != CsvColumn.RestrictIncomingSocialMessaging || organization.SocialMessagingEnabled)
            .ToArray();
        var lines = new[]
        {
            columns.Select(c => c.Name()),
            columns.Select((c, i) => (i == 0 ? "Note: delete this row before uploading. " : "") + Instruction(c, organization)),
            columns.Select(c => Example(c, organization)),
        };
        var content = string.Join("\r\n", lines.Select(cells => string.Join(',', cells.Select(Escape)))) + "\r\n";
        return new CsvTemplate($"multiline-accounts-{Slug(organization.Name)}.csv", columns, content);
    }

    private static string Instruction(CsvColumn column, Organization organization) => column switch
    {
        CsvColumn.FirstName or CsvColumn.LastName => "Optional. Text, up to 64 characters.",
        CsvColumn.Username => organization.SmtpDataOffload
            ? "Required. An email address (this organization uses SMTP data offload)."
            : "Required. An email address, or a phone number with country code such as +14155550123.",
        CsvColumn.SocialMessaging => organization.SocialMessagingEnabled
            ? "Required. Yes (WhatsApp, WeChat and LINE) or No."
            : "Required. No (this organization has no social messaging).",
        CsvColumn.MultiLineNumber => "Optional. An Available number of this organization, with country code; or tag:PORTED to take any Reserved number with that tag. Leave empty to let the user pick one at activation.",
        CsvColumn.MonitorCalls => "Required. auto (records calls) or off.",
        CsvColumn.MonitorSms => "Required. on (records SMS) or off.",
        CsvColumn.ForwardingNumber => "Optional. 4 to 18 digits with country code, for accounts without voice calling.",
        CsvColumn.RestrictIncomingSocialMessaging => "Optional. true or false; applies only when social_messaging is Yes.",
        CsvColumn.Language => "Optional. English, Italian, German, French or Spanish (default English).",
        _ => "",
    };

    private static string Example(CsvColumn column, Organization organization) => column switch
    {
        CsvColumn.FirstName => "Jane",
        CsvColumn.LastName => "Doe",
        CsvColumn.Username => "jane.doe@example.com",
        CsvColumn.SocialMessaging => organization.SocialMessagingEnabled ? "Yes" : "No",
        CsvColumn.MonitorCalls => "auto",
        CsvColumn.MonitorSms => "on",
        CsvColumn.RestrictIncomingSocialMessaging => "false",
        CsvColumn.Language => "English",
        _ => "",
    };

    /// <summary>A cell as the portal writes CSV for re-upload: quoted when it holds a separator, quote or line break.</summary>
    internal static string Escape(string cell) =>
        cell.AsSpan().IndexOfAny(",;\"\r\n\t") >= 0 ? $"\"{cell.Replace("\"", "\"\"")}\"" : cell;

    /// <summary>"Acme Corp (EU)" → "acme-corp-eu"; accents dropped.</summary>
    internal static string Slug(string name)
    {
        var slug = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
                continue;
            if (char.IsAsciiLetterOrDigit(c))
                slug.Append(char.ToLowerInvariant(c));
            else if (slug.Length > 0 && slug[^1] != '-')
                slug.Append('-');
        }
        var text = slug.ToString().Trim('-');
        return text.Length == 0 ? "organization" : text;
    }
}
