using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ExcelNumberFormat;

namespace MultiLine.Core.Imports;

/// <summary>
/// Reads one sheet of an Excel workbook (.xlsx) into the same <see cref="CsvReadResult"/> as a CSV, through the same
/// <see cref="AccountRows"/>: each cell is the text Excel shows (its number format applied, so a text cell
/// <c>+14155550100</c> stays text and a number formatted <c>00000</c> keeps its zeros), and what Excel stored (a
/// number, a date, an error) goes with it. Protects itself against hostile files: the declared unpacked size is checked
/// before anything is parsed, and no part may unpack to more characters than <see cref="ImportOptions.MaxUnpackedBytes"/>.
/// See docs/adr-xlsx.md.
/// </summary>
public static class WorkbookReader
{
    /// <summary>Most parts a workbook may hold: a real one has a few dozen.</summary>
    public const int MaxEntries = 1000;

    public const string NotAWorkbookMessage =
        "The file is not an Excel workbook (.xlsx) that can be read, or it is damaged. Open it in Excel, save it as Excel Workbook (.xlsx) or as CSV, and upload it again.";

    /// <summary>The compound-file header of an Excel 97-2003 workbook (.xls).</summary>
    private static ReadOnlySpan<byte> OldWorkbookSignature => [0xD0, 0xCF, 0x11, 0xE0];

    /// <summary>Zip's local file header: every .xlsx starts with it (and no text file does).</summary>
    public static bool IsZip(ReadOnlySpan<byte> bytes) => bytes.StartsWith("PK\u0003\u0004"u8);

    /// <summary>The workbook's visible sheets in tab order; empty when the file is not a readable workbook.</summary>
    public static IReadOnlyList<string> SheetNames(byte[] content, ImportOptions options)
    {
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            if (UnpackedSizeRefusal(stream, options) is not null)
                return [];
            using var document = SpreadsheetDocument.Open(stream, false, Settings(options));
            return Sheets(document).Where(Visible).Select(s => s.Name!.Value!).ToArray();
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            return [];
        }
    }

    internal static CsvReadResult Read(byte[] buffer, int length, string? sheetName, AccountRows rows, ImportOptions options, CancellationToken cancellationToken)
    {
        var fileHash = SHA256.HashData(buffer.AsSpan(0, length));
        if (!IsZip(buffer.AsSpan(0, length)))
            return Refused(Hex(fileHash), buffer.AsSpan(0, length).StartsWith(OldWorkbookSignature)
                ? "The file is an Excel 97-2003 workbook (.xls). Open it in Excel, save it as Excel Workbook (.xlsx) or as CSV, and upload it again."
                : NotAWorkbookMessage);
        try
        {
            using var stream = new MemoryStream(buffer, 0, length, writable: false);
            if (UnpackedSizeRefusal(stream, options) is { } tooLarge)
                return Refused(Hex(fileHash), tooLarge);
            using var document = SpreadsheetDocument.Open(stream, false, Settings(options));
            if (document.WorkbookPart?.Workbook is null)
                return Refused(Hex(fileHash), NotAWorkbookMessage); // a zip, but not a spreadsheet
            var sheets = Sheets(document).ToList();
            var visible = sheets.Where(Visible).ToList();
            // Only visible sheets are read, by default or by name (the page's picker offers those): a hidden sheet is
            // usually a lookup list, and what the admin cannot see in Excel is not imported.
            bool Named(Sheet s) => string.Equals(s.Name?.Value?.Trim(), sheetName!.Trim(), StringComparison.OrdinalIgnoreCase);
            var sheet = sheetName is null ? visible.FirstOrDefault() : visible.FirstOrDefault(Named);
            var sheetList = CsvColumns.JoinAnd(visible.Select(s => ImportProblem.Quote(s.Name!.Value!)).ToList());
            if (sheet is null)
                return Refused(Hex(fileHash), sheetName is null
                    ? "The workbook has no sheet to read."
                    : sheets.Any(Named)
                        ? $"The sheet {ImportProblem.Quote(sheetName)} is hidden. Unhide it in Excel, or choose one of the visible sheets: {sheetList}."
                        : $"The workbook has no sheet named {ImportProblem.Quote(sheetName)}; its sheets are {sheetList}.");
            // "Already imported" and "changed since the preview" compare hashes: the workbook's own, or with another
            // sheet than the first, the workbook's and the sheet's name, so two sheets of one file are two imports.
            var sha256 = sheet == visible.FirstOrDefault() ? Hex(fileHash) : Hex(SHA256.HashData([.. fileHash, .. Encoding.UTF8.GetBytes(sheet.Name!.Value!)]));
            if (document.WorkbookPart!.GetPartById(sheet.Id!.Value!) is not WorksheetPart worksheet)
                return Refused(sha256, $"The sheet {ImportProblem.Quote(sheet.Name!.Value!)} is a chart, not a table of accounts. Choose the sheet that holds the accounts.");

            var cells = new SheetCells(document.WorkbookPart, cancellationToken);
            ReadRows(worksheet, cells, rows, cancellationToken);
            if (!rows.HasHeader && visible.Count > 1)
                return Refused(sha256, $"The sheet {ImportProblem.Quote(sheet.Name!.Value!)} is empty. Choose the sheet that holds the accounts.");
            var read = rows.Finish(sha256, null, ',');
            // A cover or title sheet in front of the accounts: its header problem alone does not say another sheet may hold them.
            if (visible.Count > 1 && read.HasFileErrors && !read.Columns.Contains(CsvColumn.Username))
                read = read with
                {
                    FileProblems = [.. read.FileProblems, ImportProblem.FileError(
                        $"The sheet {ImportProblem.Quote(sheet.Name!.Value!)} has no accounts' header row. Choose the sheet that holds the accounts; the workbook's sheets are {sheetList}.")],
                };
            return read;
        }
        catch (Exception e) when (IsUnreadable(e))
        {
            return Refused(Hex(fileHash), e is XmlException { Message: var message } && message.Contains("MaxCharactersInDocument", StringComparison.Ordinal)
                ? TooLargeUnpacked(options)
                : NotAWorkbookMessage);
        }
    }

    private static void ReadRows(WorksheetPart worksheet, SheetCells cells, AccountRows rows, CancellationToken cancellationToken)
    {
        var texts = new string[16];
        Array.Fill(texts, "");
        var kinds = new CellKind[16];
        var used = 0;
        var rowNumber = 0;
        using var reader = OpenXmlReader.Create(worksheet);
        while (!rows.Stopped && reader.Read())
        {
            if (reader.ElementType != typeof(Row) || !reader.IsStartElement)
                continue;
            cancellationToken.ThrowIfCancellationRequested();
            var row = (Row)reader.LoadCurrentElement()!;
            rowNumber = row.RowIndex?.Value is { } index ? (int)Math.Min(index, int.MaxValue) : rowNumber + 1;
            Array.Fill(texts, "", 0, used);
            Array.Clear(kinds, 0, used);
            used = 0;
            var column = -1;
            foreach (var cell in row.Elements<Cell>())
            {
                column = ColumnIndex(cell.CellReference?.Value) ?? column + 1;
                if (column >= SheetCells.MaxColumns)
                    break;
                if (column >= texts.Length)
                {
                    var (was, size) = (texts.Length, Math.Min(SheetCells.MaxColumns, Math.Max(column + 1, texts.Length * 2)));
                    Array.Resize(ref texts, size);
                    Array.Resize(ref kinds, size);
                    Array.Fill(texts, "", was, size - was);
                }
                var (text, kind) = cells.Shown(cell);
                texts[column] = CellText.Trim(text);
                kinds[column] = kind;
                used = Math.Max(used, column + 1);
            }
            rows.Add(rowNumber, texts.AsSpan(0, used), kinds: kinds.AsSpan(0, used));
        }
    }

    /// <summary>"C12" → 2; null without a reference.</summary>
    internal static int? ColumnIndex(string? reference)
    {
        if (string.IsNullOrEmpty(reference))
            return null;
        var index = 0;
        foreach (var c in reference)
        {
            if (!char.IsAsciiLetter(c))
                break;
            index = index * 26 + (char.ToUpperInvariant(c) - 'A' + 1);
            if (index > SheetCells.MaxColumns)
                return SheetCells.MaxColumns;
        }
        return index == 0 ? null : index - 1;
    }

    /// <summary>Refuses a zip whose parts say they unpack to more than the limit (or that holds too many), before parsing any.</summary>
    private static string? UnpackedSizeRefusal(MemoryStream stream, ImportOptions options)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        if (zip.Entries.Count > MaxEntries)
            return NotAWorkbookMessage;
        long total = 0;
        foreach (var entry in zip.Entries)
            total += entry.Length;
        stream.Position = 0;
        return total > options.MaxUnpackedBytes ? TooLargeUnpacked(options) : null;
    }

    private static string TooLargeUnpacked(ImportOptions options) =>
        $"The workbook unpacks to more than {AccountImport.Size(options.MaxUnpackedBytes)}, the most one upload can hold. Copy the accounts into a new workbook, or save them as CSV, and upload that.";

    // The SDK's own guard: an XML reader that stops at this many characters in any part, whatever the zip declares.
    private static OpenSettings Settings(ImportOptions options) => new() { MaxCharactersInPart = options.MaxUnpackedBytes, AutoSave = false };

    private static IEnumerable<Sheet> Sheets(SpreadsheetDocument document) =>
        document.WorkbookPart?.Workbook?.Sheets?.Elements<Sheet>().Where(s => s.Name?.Value is not null && s.Id?.Value is not null) ?? [];

    private static bool Visible(Sheet sheet) => sheet.State is null || sheet.State.Value == SheetStateValues.Visible;

    private static bool IsUnreadable(Exception e) =>
        e is OpenXmlPackageException or InvalidDataException or XmlException or FormatException or IOException
            or InvalidOperationException or NotSupportedException or ArgumentException or KeyNotFoundException;

    private static CsvReadResult Refused(string sha256, string message) => new([ImportProblem.FileError(message)], [], sha256, null, ',', []);

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    /// <summary>The text of a cell as Excel shows it: shared strings, number formats and the workbook's date system.</summary>
    private sealed class SheetCells
    {
        /// <summary>Excel's last column, XFD.</summary>
        public const int MaxColumns = 16_384;

        private readonly List<string> _strings = [];
        private readonly uint[] _styleFormats;
        private readonly Dictionary<uint, string> _customFormats = [];
        private readonly Dictionary<uint, NumberFormat?> _formats = [];
        private readonly bool _date1904;

        public SheetCells(WorkbookPart workbook, CancellationToken cancellationToken)
        {
            _date1904 = workbook.Workbook?.WorkbookProperties?.Date1904?.Value == true;
            if (workbook.SharedStringTablePart is { } sharedStrings)
            {
                using var reader = OpenXmlReader.Create(sharedStrings);
                while (reader.Read())
                {
                    if (reader.ElementType == typeof(SharedStringItem) && reader.IsStartElement)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        _strings.Add(Text((SharedStringItem)reader.LoadCurrentElement()!));
                    }
                }
            }
            var styles = workbook.WorkbookStylesPart?.Stylesheet;
            foreach (var format in styles?.NumberingFormats?.Elements<NumberingFormat>() ?? [])
            {
                if (format.NumberFormatId?.Value is { } id && format.FormatCode?.Value is { } code)
                    _customFormats[id] = code;
            }
            _styleFormats = styles?.CellFormats?.Elements<CellFormat>().Select(f => f.NumberFormatId?.Value ?? 0).ToArray() ?? [];
        }

        public (string Text, CellKind Kind) Shown(Cell cell)
        {
            var value = cell.CellValue?.Text;
            var type = cell.DataType?.Value;
            if (type == CellValues.InlineString)
                return (cell.InlineString is { } inline ? Text(inline) : "", CellKind.Text);
            if (value is null)
                return ("", CellKind.Text);
            if (type == CellValues.SharedString)
                return (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < _strings.Count ? _strings[index] : "", CellKind.Text);
            if (type == CellValues.String)
                return (value, CellKind.Text); // a formula's text result
            if (type == CellValues.Boolean)
                return (value is "1" or "true" ? "TRUE" : "FALSE", CellKind.Boolean);
            if (type == CellValues.Error)
                return (value, CellKind.Error);
            if (type == CellValues.Date)
            {
                return DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date)
                    ? (Format(cell.StyleIndex?.Value ?? 0) is { IsDateTimeFormat: true } dateFormat
                        ? dateFormat.Format(date, CultureInfo.InvariantCulture, _date1904)
                        : date.ToString(date.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), CellKind.Date)
                    : (value, CellKind.Date);
            }
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                return (value, CellKind.Text);
            var format = Format(cell.StyleIndex?.Value ?? 0);
            if (format is null)
                return (General(number), CellKind.Number);
            var shown = format.Format(number, CultureInfo.InvariantCulture, _date1904);
            if (format.IsDateTimeFormat)
                return (shown, CellKind.Date);
            // A whole number shown in scientific notation (0.00E+00) lost digits on the screen only: the formula bar shows
            // them all, as for General, so a phone number stored this way reaches the admin whole.
            if (number == Math.Floor(number) && Math.Abs(number) < 1e15 && shown.Contains('E', StringComparison.OrdinalIgnoreCase))
                return (General(number), CellKind.Number);
            return (shown, CellKind.Number);
        }

        /// <summary>
        /// General (and Text, @): the number whole, as the formula bar shows it, up to Excel's 15 significant digits. A
        /// narrow cell would show a long number as 1.41556E+10; the workbook still holds every digit, so the admin gets them.
        /// </summary>
        private static string General(double number) => number.ToString("G15", CultureInfo.InvariantCulture);

        private NumberFormat? Format(uint styleIndex)
        {
            if (_formats.TryGetValue(styleIndex, out var cached))
                return cached;
            var id = styleIndex < _styleFormats.Length ? _styleFormats[styleIndex] : 0;
            var code = _customFormats.TryGetValue(id, out var custom) ? custom : BuiltIn(id);
            NumberFormat? format = null;
            if (code is not null && !code.Equals("General", StringComparison.OrdinalIgnoreCase) && code != "@")
            {
                format = new NumberFormat(code);
                if (!format.IsValid)
                    format = null;
            }
            return _formats[styleIndex] = format;
        }

        /// <summary>The built-in formats of ECMA-376 (18.8.30) Excel writes by id only; the locale's short date as m/d/yyyy.</summary>
        private static string? BuiltIn(uint id) => id switch
        {
            1 => "0",
            2 => "0.00",
            3 => "#,##0",
            4 => "#,##0.00",
            9 => "0%",
            10 => "0.00%",
            11 => "0.00E+00",
            12 => "# ?/?",
            13 => "# ??/??",
            14 => "m/d/yyyy",
            15 => "d-mmm-yy",
            16 => "d-mmm",
            17 => "mmm-yy",
            18 => "h:mm AM/PM",
            19 => "h:mm:ss AM/PM",
            20 => "h:mm",
            21 => "h:mm:ss",
            22 => "m/d/yyyy h:mm",
            37 => "#,##0 ;(#,##0)",
            38 => "#,##0 ;[Red](#,##0)",
            39 => "#,##0.00;(#,##0.00)",
            40 => "#,##0.00;[Red](#,##0.00)",
            45 => "mm:ss",
            46 => "[h]:mm:ss",
            47 => "mm:ss.0",
            48 => "##0.0E+0",
            49 => "@",
            >= 27 and <= 36 or >= 50 and <= 58 => "m/d/yyyy", // East Asian date formats
            _ => null,
        };

        private static string Text(OpenXmlCompositeElement item)
        {
            if (item.GetFirstChild<Text>() is { } plain)
                return plain.Text;
            var text = new StringBuilder();
            foreach (var run in item.Elements<Run>())
                text.Append(run.Text?.Text);
            return text.ToString();
        }
    }
}
