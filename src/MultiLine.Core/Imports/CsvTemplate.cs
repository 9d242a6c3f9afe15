using System.Globalization;
using System.Text;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Imports;

/// <summary>
/// The downloadable CSV template for one organization: the header in the documented order, a "Note" row of
/// instructions the admin deletes, and one example row that is valid for that organization; or, as a template with
/// numbers, one row per Available number with everything but the names and username filled in.
/// <see cref="XlsxTemplate"/> writes the same columns, instructions and rows as an Excel workbook.
/// </summary>
public sealed record CsvTemplate(string FileName, IReadOnlyList<CsvColumn> Columns, string Content)
{
    /// <summary>UTF-8 with BOM, so Excel opens accents correctly.</summary>
    public byte[] ToBytes() => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Content)];

    /// <summary>The template; with <paramref name="numbers"/>, one row per number instead of the example row.</summary>
    public static CsvTemplate For(Organization organization, IReadOnlyList<string>? numbers = null)
    {
        var columns = ColumnsFor(organization);
        var lines = new List<IEnumerable<string>>
        {
            columns.Select(c => c.Name()),
            columns.Select((c, i) => (i == 0 ? "Note: delete this row before uploading. " : "") + Instruction(c, organization)),
        };
        lines.AddRange(Rows(columns, organization, numbers));
        var content = string.Join("\r\n", lines.Select(cells => string.Join(',', cells.Select(Escape)))) + "\r\n";
        return new CsvTemplate(FileNameFor(organization, numbers, "csv"), columns, content);
    }

    /// <summary>The template's columns for the organization: restrict_incoming_social_messaging only with social messaging.</summary>
    internal static CsvColumn[] ColumnsFor(Organization organization) => CsvColumns.All
        .Where(c => c != CsvColumn.RestrictIncomingSocialMessaging || organization.SocialMessagingEnabled)
        .ToArray();

    /// <summary>The example row, or one row per number: the number and the organization's defaults, names and username left to the admin.</summary>
    internal static IEnumerable<string[]> Rows(IReadOnlyList<CsvColumn> columns, Organization organization, IReadOnlyList<string>? numbers) =>
        numbers is null
            ? [columns.Select(c => Example(c, organization)).ToArray()]
            : numbers.Select(number => columns.Select(c => c switch
            {
                CsvColumn.FirstName or CsvColumn.LastName or CsvColumn.Username => "",
                CsvColumn.MultiLineNumber => number,
                _ => Example(c, organization),
            }).ToArray());

    /// <summary>"multiline-accounts-acme.csv", or with numbers "multiline-accounts-acme-25-numbers.xlsx".</summary>
    internal static string FileNameFor(Organization organization, IReadOnlyList<string>? numbers, string extension) =>
        numbers is null
            ? $"multiline-accounts-{Slug(organization.Name)}.{extension}"
            : string.Create(CultureInfo.InvariantCulture, $"multiline-accounts-{Slug(organization.Name)}-{numbers.Count}-numbers.{extension}");

    /// <summary>The values a column accepts, when they are a short list (the workbook's drop-downs).</summary>
    internal static IReadOnlyList<string>? Choices(CsvColumn column, Organization organization) => column switch
    {
        CsvColumn.SocialMessaging => organization.SocialMessagingEnabled ? ["Yes", "No"] : ["No"],
        CsvColumn.MonitorCalls => ["auto", "off"],
        CsvColumn.MonitorSms => ["on", "off"],
        CsvColumn.RestrictIncomingSocialMessaging => ["true", "false"],
        CsvColumn.Language => Enum.GetNames<Accounts.Language>(),
        _ => null,
    };

    internal static string Instruction(CsvColumn column, Organization organization) => column switch
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
