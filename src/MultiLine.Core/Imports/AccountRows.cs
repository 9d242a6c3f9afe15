using System.Collections.Frozen;
using System.Globalization;

namespace MultiLine.Core.Imports;

/// <summary>What Excel stored in a worksheet cell; a CSV cell is always <see cref="Text"/>.</summary>
public enum CellKind { Text, Number, Date, Boolean, Error }

/// <summary>
/// What a CSV file and a worksheet have in common once their cells are text: the header row (after blank rows and the
/// accounts export's <c>#</c> lines), header matching, the template's Note row, blank rows, columns without a name, the
/// row limit and, for a workbook, cells Excel did not store as text. <see cref="CsvFileReader"/> and
/// <see cref="WorkbookReader"/> feed it one row at a time, so a file reads the same in either format.
/// </summary>
internal sealed class AccountRows(ImportOptions options, CsvPurpose purpose)
{
    private readonly List<ImportProblem> _problems = [];
    private readonly List<CsvRow> _rows = [];
    private readonly List<CsvColumn> _columns = [];
    private int[]? _header;
    private int _dataRows;

    /// <summary>The header row has a file error (missing or doubled columns): nothing more is worth reading.</summary>
    public bool Stopped { get; private set; }

    /// <summary>A header row was found (the file or sheet is not empty).</summary>
    public bool HasHeader => _header is not null;

    /// <summary>
    /// One row as the spreadsheet numbers it, its cells trimmed (<see cref="CellText.Trim"/>). <paramref name="kinds"/>,
    /// when given, says what a workbook stored in each cell.
    /// </summary>
    public void Add(int rowNumber, ReadOnlySpan<string> cells, bool quotesBroken = false, ReadOnlySpan<CellKind> kinds = default)
    {
        var width = cells.Length;
        while (width > 0 && cells[width - 1].Length == 0)
            width--;
        if (width == 0 || Stopped)
            return; // blank row, or separators only

        if (_header is null)
        {
            // The accounts export's header block (report name, time, organization) precedes its column names.
            if (cells[0].StartsWith('#'))
                return;
            _header = ReadHeader(cells[..width], _problems, _columns, purpose);
            Stopped = _problems.Any(p => p.IsError);
            return;
        }

        if (IsNoteRow(cells[0]))
        {
            _problems.Add(ImportProblem.FileWarning(
                $"Row {rowNumber} is the template's Note row of instructions; it was skipped. Delete it before uploading."));
            return;
        }

        _dataRows++;
        if (_dataRows > options.MaxRows)
            return; // keep counting for the message, keep nothing
        _rows.Add(ReadRow(rowNumber, cells[..width], _header, quotesBroken, kinds.Length == 0 ? default : kinds[..Math.Min(width, kinds.Length)], csv: kinds.IsEmpty));
    }

    /// <summary>The rows read, or the file errors: no header, no data row, too many rows.</summary>
    public CsvReadResult Finish(string sha256, string? encodingName, char separator)
    {
        if (_header is null)
            return new CsvReadResult([ImportProblem.FileError(EmptyMessage)], [], sha256, encodingName, separator, []);
        if (!Stopped && _dataRows == 0)
            _problems.Add(ImportProblem.FileError("The file has a header row but no accounts. Add one row per account under the header row."));
        else if (_dataRows > options.MaxRows)
            _problems.Add(ImportProblem.FileError(TooManyRowsMessage(_dataRows, options.MaxRows)));

        return _problems.Any(p => p.IsError)
            ? new CsvReadResult(_problems, [], sha256, encodingName, separator, _columns)
            : new CsvReadResult(_problems, _rows, sha256, encodingName, separator, _columns);
    }

    public static string TooManyRowsMessage(int rows, int maxRows) =>
        string.Create(CultureInfo.InvariantCulture,
            $"The file has {rows:N0} accounts; at most {maxRows:N0} can be imported at once. Split it into smaller files.");

    public const string EmptyMessage = "The file is empty. Download the template, add one row per account and upload it again.";

    /// <summary>The template's instructions row: first cell "Note", "Note:" or "Note ..." (not a name such as "Notley").</summary>
    public static bool IsNoteRow(string firstCell) =>
        firstCell.StartsWith("note", StringComparison.OrdinalIgnoreCase) && (firstCell.Length == 4 || !char.IsLetter(firstCell[4]));

    /// <summary>
    /// A CSV cell as the portal's downloads meant it: every download (reports, the accounts export, the edited file) puts
    /// an apostrophe before a cell that starts with =, +, -, @ so a spreadsheet shows it as text and never runs it
    /// (<see cref="Reports.ReportCsvWriter.Neutralize"/>); reading the file back drops that apostrophe, as a spreadsheet does.
    /// A workbook's cells never hold it: Excel keeps the marker outside the value.
    /// </summary>
    internal static string Unmarked(string cell) =>
        cell is { Length: > 1 } && cell[0] == '\'' && cell[1] is '=' or '+' or '-' or '@' ? cell[1..] : cell;

    private static CsvRow ReadRow(int rowNumber, ReadOnlySpan<string> cells, int[] header, bool quotesBroken, ReadOnlySpan<CellKind> kinds, bool csv)
    {
        var values = new AccountInput();
        List<ImportProblem>? problems = null;
        for (var i = 0; i < cells.Length; i++)
        {
            if (i < header.Length)
            {
                if (header[i] < 0)
                    continue;
                var column = (CsvColumn)header[i];
                values.Set(column, Shared(csv ? Unmarked(cells[i]) : cells[i]));
                if (i < kinds.Length && cells[i].Length > 0 && StoredAs(rowNumber, column, cells[i], kinds[i]) is { } stored)
                    (problems ??= []).Add(stored);
            }
            else if (cells[i].Length > 0)
            {
                var letters = new List<string>();
                for (var j = i; j < cells.Length; j++)
                    if (cells[j].Length > 0)
                        letters.Add(CsvColumns.Letter(j));
                (problems ??= []).Add(new ImportProblem(rowNumber, null, null,
                    $"has values in columns without a name ({string.Join(", ", letters)}); they are ignored.", ProblemSeverity.Warning));
                break;
            }
        }
        if (quotesBroken)
            (problems ??= []).Add(new ImportProblem(rowNumber, null, null,
                "a quoted value is not closed, or has text after its closing quote; check the quotes in this row.", ProblemSeverity.Error));
        return new CsvRow(rowNumber, values, problems is null ? [] : problems);
    }

    /// <summary>
    /// The few values nearly every row repeats (Yes, No, auto, on, off, true, false, a language), as one shared string
    /// each: a 100,000-row file otherwise keeps half a million copies of them alive until it is stored (~15 MB at the
    /// commit's peak, docs/performance.md). The cell's own copy is short-lived garbage.
    /// </summary>
    private static string Shared(string cell) =>
        cell.Length is > 0 and <= MaxSharedLength && SharedValues.TryGetValue(cell, out var shared) ? shared : cell;

    private const int MaxSharedLength = 8;

    private static readonly FrozenDictionary<string, string> SharedValues =
        new[]
        {
            "Yes", "No", "yes", "no", "YES", "NO", "auto", "Auto", "AUTO", "on", "On", "ON", "off", "Off", "OFF",
            "true", "false", "True", "False", "TRUE", "FALSE", "English", "Italian", "German", "French", "Spanish",
            "en", "it", "de", "fr", "es",
        }.ToFrozenDictionary(v => v, v => v, StringComparer.Ordinal);

    /// <summary>
    /// Every account column holds text. A number in one is read as Excel shows it and said to be a number (for a phone
    /// column Excel may have dropped the + or a leading zero: the rules and the repair proposals see the shown text);
    /// a date or an Excel error replaced what was typed, so the row cannot import.
    /// </summary>
    private static ImportProblem? StoredAs(int rowNumber, CsvColumn column, string shown, CellKind kind)
    {
        var message = kind switch
        {
            CellKind.Number when column is CsvColumn.Username or CsvColumn.MultiLineNumber or CsvColumn.ForwardingNumber =>
                $"Excel stored {shown} as a number, not text, so a leading + or 0 may have been dropped. Format the column as Text and type the number with its country code, such as +14155550123.",
            CellKind.Number => $"Excel stored {shown} as a number, not text; check it reads as you meant.",
            CellKind.Date => $"Excel turned this value into a date ({shown}). Format the column as Text and type the value again.",
            CellKind.Error => $"the cell shows the Excel error {shown}, not a value.",
            _ => null,
        };
        if (message is null)
            return null;
        var severity = kind == CellKind.Number ? ProblemSeverity.Warning : ProblemSeverity.Error;
        return new ImportProblem(rowNumber, column.Name(), shown, message, severity);
    }

    /// <summary>
    /// Maps each header cell to a column (or -1), reporting unknown, unnamed, duplicate and missing columns. An import
    /// ignores the export's own columns; an update notes, once, that it ignores the read-only ones.
    /// </summary>
    private static int[] ReadHeader(ReadOnlySpan<string> cells, List<ImportProblem> problems, List<CsvColumn> columns, CsvPurpose purpose)
    {
        var map = new int[cells.Length];
        var firstIndex = new Dictionary<CsvColumn, int>();
        for (var i = 0; i < cells.Length; i++)
        {
            map[i] = -1;
            var name = cells[i];
            if (name.Length == 0)
                problems.Add(ImportProblem.FileWarning($"Column {CsvColumns.Letter(i)} has no name; its values are ignored."));
            else if (!CsvColumns.TryMatch(name, out var column))
                problems.Add(ImportProblem.FileWarning($"Column {ImportProblem.Quote(name)} ({CsvColumns.Letter(i)}) is not a known column; its values are ignored."));
            else if (purpose == CsvPurpose.Import && !column.IsImported())
                problems.Add(ImportProblem.FileWarning(
                    $"Column {ImportProblem.Quote(name)} ({CsvColumns.Letter(i)}) is not read by an import; its values are ignored."));
            else if (firstIndex.TryGetValue(column, out var first))
                problems.Add(ImportProblem.FileError(
                    $"Columns {CsvColumns.Letter(first)} ({ImportProblem.Quote(cells[first])}) and {CsvColumns.Letter(i)} ({ImportProblem.Quote(name)}) are both {column.Name()}; keep only one of them."));
            else
            {
                firstIndex[column] = i;
                map[i] = (int)column;
                columns.Add(column);
            }
        }

        var readOnly = CsvColumns.ReadOnly.Where(firstIndex.ContainsKey).Select(c => c.Name()).ToArray();
        if (purpose == CsvPurpose.Update && readOnly.Length > 0)
            problems.Add(ImportProblem.FileWarning(
                $"{(readOnly.Length == 1 ? "Column" : "Columns")} {CsvColumns.JoinAnd(readOnly)} {(readOnly.Length == 1 ? "is" : "are")} read-only: an update leaves them as they are and ignores their values."));
        IReadOnlyList<CsvColumn> required = purpose == CsvPurpose.Update ? [CsvColumn.Username] : CsvColumns.Required;
        var missing = required.Where(c => !firstIndex.ContainsKey(c)).Select(c => c.Name()).ToArray();
        if (missing.Length > 0)
            problems.Add(ImportProblem.FileError(
                $"The file has no {CsvColumns.JoinAnd(missing)} column{(missing.Length > 1 ? "s" : "")}. The first row must hold the column names, as in the template."));
        return map;
    }
}
