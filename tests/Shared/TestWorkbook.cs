using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace MultiLine.Tests;

/// <summary>
/// Builds real .xlsx files in tests with the Open XML SDK, the way Excel stores what an admin typed: text cells (shared
/// strings), numbers (a phone number Excel turned into one), numbers with a format (<c>00000</c>), dates and several sheets.
/// <code>TestWorkbook.Create().Sheet("Accounts", [["firstname", ...], ["Jane", ..., TestWorkbook.Number(14155550100)]]).ToBytes()</code>
/// </summary>
public sealed class TestWorkbook
{
    /// <summary>A cell: text, or a number with an optional Excel number format code (a date is a number with a date format).</summary>
    public sealed record CellValue(string? Text, double? Number = null, string? Format = null, bool Inline = false, string? Type = null)
    {
        public static implicit operator CellValue(string text) => new(text);
    }

    public static CellValue Number(double value, string? format = null) => new(null, value, format);

    /// <summary>A number with one of Excel's built-in formats, which Excel writes by id only (1 = <c>0</c>, 3 = <c>#,##0</c>, 9 = <c>0%</c>, 11 = <c>0.00E+00</c>, 14 = a date, 49 = <c>@</c>).</summary>
    public static CellValue BuiltIn(double value, uint formatId) => new(null, value, BuiltInPrefix + formatId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private const string BuiltInPrefix = "builtin:";

    /// <summary>A date as Excel stores it: the serial day number, formatted m/d/yyyy.</summary>
    public static CellValue Date(DateTime date) => new(null, date.ToOADate(), "m/d/yyyy");

    /// <summary>An error value as Excel stores it (t="e"), e.g. #N/A.</summary>
    public static CellValue Error(string shown) => new(shown, Type: "e");

    /// <summary>TRUE or FALSE as Excel stores a logical value (t="b").</summary>
    public static CellValue Boolean(bool value) => new(value ? "1" : "0", Type: "b");

    /// <summary>Text written inline in the cell (t="inlineStr"), as some generators do, instead of a shared string.</summary>
    public static CellValue Inline(string text) => new(text, Inline: true);

    private readonly List<(string Name, IReadOnlyList<IReadOnlyList<CellValue?>> Rows, int FirstRow, bool Hidden)> _sheets = [];

    public static TestWorkbook Create() => new();

    /// <summary>A sheet whose rows start at <paramref name="firstRow"/> (a null row is left out, as Excel leaves out empty rows).</summary>
    public TestWorkbook Sheet(string name, IReadOnlyList<IReadOnlyList<CellValue?>?> rows, int firstRow = 1, bool hidden = false)
    {
        _sheets.Add((name, rows.Select(r => r ?? []).ToList(), firstRow, hidden));
        return this;
    }

    /// <summary>The account header of the CSV template.</summary>
    public static readonly CellValue[] Header =
    [
        "firstname", "lastname", "email address or device", "social_messaging", "multiline_number",
        "monitor_calls", "monitor_sms", "forwarding_number", "restrict_incoming_social_messaging", "language",
    ];

    /// <summary>One account row in the header's order.</summary>
    public static CellValue?[] Row(CellValue username, CellValue? number = null, string first = "Jane", string last = "Doe", string social = "No",
        string calls = "auto", string sms = "on", CellValue? forwarding = null, string language = "English") =>
        [first, last, username, social, number, calls, sms, forwarding, null, language];

    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook();
            var strings = new List<string>();
            var formats = new List<string>();
            var sheets = new Sheets();
            uint sheetId = 1;
            foreach (var (name, rows, firstRow, hidden) in _sheets)
            {
                var part = workbook.AddNewPart<WorksheetPart>();
                var data = new SheetData();
                var rowIndex = (uint)firstRow;
                foreach (var row in rows)
                {
                    if (row.Count > 0)
                        data.Append(WriteRow(rowIndex, row, strings, formats));
                    rowIndex++;
                }
                part.Worksheet = new Worksheet(data);
                sheets.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = sheetId++, Name = name, State = hidden ? SheetStateValues.Hidden : null });
            }
            workbook.Workbook.Append(sheets);
            workbook.AddNewPart<SharedStringTablePart>().SharedStringTable =
                new SharedStringTable(strings.Select(s => new SharedStringItem(new Text(s) { Space = SpaceProcessingModeValues.Preserve })));
            workbook.AddNewPart<WorkbookStylesPart>().Stylesheet = Styles(formats);
        }
        return stream.ToArray();
    }

    private static Row WriteRow(uint rowIndex, IReadOnlyList<CellValue?> values, List<string> strings, List<string> formats)
    {
        var row = new Row { RowIndex = rowIndex };
        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] is not { } value)
                continue;
            var cell = new Cell { CellReference = Column(i) + rowIndex };
            if (value.Type is { } type)
            {
                cell.DataType = type == "e" ? CellValues.Error : CellValues.Boolean;
                cell.CellValue = new DocumentFormat.OpenXml.Spreadsheet.CellValue(value.Text!);
            }
            else if (value.Number is { } number)
            {
                cell.CellValue = new DocumentFormat.OpenXml.Spreadsheet.CellValue(number.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                if (value.Format is { } format)
                {
                    if (!formats.Contains(format))
                        formats.Add(format);
                    cell.StyleIndex = (uint)(formats.IndexOf(format) + 1);
                }
            }
            else if (value.Inline)
            {
                cell.DataType = CellValues.InlineString;
                cell.InlineString = new InlineString(new Text(value.Text!));
            }
            else
            {
                cell.DataType = CellValues.SharedString;
                strings.Add(value.Text!);
                cell.CellValue = new DocumentFormat.OpenXml.Spreadsheet.CellValue((strings.Count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            row.Append(cell);
        }
        return row;
    }

    /// <summary>
    /// Style 0 is General; style n (1-based) applies format n - 1 of the list: a built-in one by its id, as Excel writes
    /// it, or a custom one as number format 164 + n - 1.
    /// </summary>
    private static Stylesheet Styles(List<string> formats)
    {
        uint Id(string code, int i) => code.StartsWith(BuiltInPrefix, StringComparison.Ordinal) ? uint.Parse(code[BuiltInPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture) : (uint)(164 + i);
        var custom = formats.Select((code, i) => (code, i)).Where(f => !f.code.StartsWith(BuiltInPrefix, StringComparison.Ordinal)).ToList();
        return new(
            new NumberingFormats(custom.Select(f => new NumberingFormat { NumberFormatId = Id(f.code, f.i), FormatCode = f.code })) { Count = (uint)custom.Count },
            new Fonts(new Font()) { Count = 1 },
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
            new Borders(new Border()) { Count = 1 },
            new CellFormats(new[] { new CellFormat { NumberFormatId = 0 } }
                .Concat(formats.Select((code, i) => new CellFormat { NumberFormatId = Id(code, i), ApplyNumberFormat = true })))
            { Count = (uint)formats.Count + 1 });
    }

    private static string Column(int index)
    {
        var letters = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
            letters = (char)('A' + (n - 1) % 26) + letters;
        return letters;
    }
}
