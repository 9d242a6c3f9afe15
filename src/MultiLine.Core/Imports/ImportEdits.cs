using System.Text;

namespace MultiLine.Core.Imports;

/// <summary>How many rows of an upload the admin changed in the browser before importing it: recorded on the batch.</summary>
public sealed record BrowserEdits(int EditedRows, int RemovedRows)
{
    public bool Any => EditedRows > 0 || RemovedRows > 0;

    /// <summary>"3 rows edited and 1 row removed in the browser".</summary>
    public string Describe() => Counts + " in the browser";

    /// <summary>"3 rows edited and 1 row removed".</summary>
    public string Counts
    {
        get
        {
            var parts = new List<string>();
            if (EditedRows > 0)
                parts.Add($"{Common.Words.Count(EditedRows, "row")} edited");
            if (RemovedRows > 0)
                parts.Add($"{Common.Words.Count(RemovedRows, "row")} removed");
            return string.Join(" and ", parts);
        }
    }
}

/// <summary>
/// The admin's changes to an uploaded file in the preview: cells edited, rows removed. The edited file is written back
/// as CSV (<see cref="ToUpload"/>) and checked by the normal path, so every rule, the database checks and the commit's
/// "changed since preview" comparison apply to it unchanged.
/// </summary>
/// <remarks>
/// Rows keep the numbers of the original file: the CSV places each row on its original line, with blank lines (which the
/// reader skips but counts) where removed rows, blank lines and the Note row were. So "Row 14" in a message is still
/// row 14 of the admin's spreadsheet. Columns the import does not read, and the Note row, are not written.
/// </remarks>
public sealed class ImportEdits
{
    private readonly SortedDictionary<int, AccountInput> _original = [];
    private readonly Dictionary<int, AccountInput> _current = [];
    private readonly SortedSet<int> _removed = [];

    /// <summary>The rows of a checked file, as read. A file with file errors has no rows to edit.</summary>
    public ImportEdits(ImportValidationResult checkedFile, string fileName)
    {
        FileName = fileName;
        foreach (var row in checkedFile.Rows)
            _original[row.RowNumber] = row.Values with { };
    }

    /// <summary>The name of the uploaded file.</summary>
    public string FileName { get; }

    /// <summary>The name the edited file is downloaded under: <c>team.csv</c> → <c>team-edited.csv</c>.</summary>
    public string EditedFileName => (Path.GetFileNameWithoutExtension(FileName) is { Length: > 0 } stem ? stem : "accounts") + "-edited.csv";

    /// <summary>Every row number of the file, removed ones included, in order.</summary>
    public IEnumerable<int> RowNumbers => _original.Keys;

    public bool Contains(int row) => _original.ContainsKey(row);

    public bool IsRemoved(int row) => _removed.Contains(row);

    public IReadOnlyCollection<int> Removed => _removed;

    /// <summary>The cell as it is now: edited, or as read.</summary>
    public string? Value(int row, CsvColumn column) => Values(row)[column];

    /// <summary>The cell as the file had it.</summary>
    public string? OriginalValue(int row, CsvColumn column) => _original[row][column];

    public bool IsEdited(int row, CsvColumn column) => !Same(Value(row, column), OriginalValue(row, column));

    /// <summary>Sets one cell; setting it back to what the file had undoes the edit.</summary>
    public void Edit(int row, CsvColumn column, string? value)
    {
        if (!column.IsImported())
            throw new ArgumentOutOfRangeException(nameof(column), column, "Only the import's columns can be edited.");
        if (!_current.TryGetValue(row, out var values))
            _current[row] = values = Original(row) with { };
        values.Set(column, value ?? "");
    }

    public void Remove(int row)
    {
        Original(row);
        _removed.Add(row);
    }

    public void Restore(int row) => _removed.Remove(row);

    /// <summary>Rows with at least one cell changed and not removed.</summary>
    public int EditedRows => _current.Count(r => !_removed.Contains(r.Key) && CsvColumns.All.Any(c => IsEdited(r.Key, c)));

    public int RemovedRows => _removed.Count;

    public BrowserEdits Summary => new(EditedRows, RemovedRows);

    public bool HasChanges => Summary.Any;

    /// <summary>
    /// The file as edited, for the normal check and commit: CSV content under the uploaded name (a workbook's too), so the
    /// batch names the file the admin chose and records the edits beside it.
    /// </summary>
    public ImportUpload ToUpload() => new(FileName, ToCsv()) { WrittenAsCsv = true };

    /// <summary>
    /// The edited file: UTF-8 with BOM, comma-separated, CRLF lines, cells quoted as the template quotes them and
    /// formula-safe (<see cref="Reports.ReportCsvWriter.Neutralize"/>). Columns:
    /// the required ones and every other import column that has a value.
    /// </summary>
    public byte[] ToCsv()
    {
        var kept = _original.Keys.Where(r => !_removed.Contains(r)).ToList();
        var columns = CsvColumns.All
            .Where(c => c.IsRequired() || kept.Any(r => !string.IsNullOrEmpty(Value(r, c))))
            .ToArray();
        var text = new StringBuilder();
        text.Append(string.Join(',', columns.Select(c => CsvTemplate.Escape(c.Name())))).Append("\r\n");
        var line = 1;
        foreach (var row in kept)
        {
            for (; line < row - 1; line++)
                text.Append("\r\n");
            // Formula-safe as every download (an apostrophe before =, +, -, @, which the reader drops again): a name cannot
            // run in the admin's spreadsheet, and Excel keeps +14155550100 as text instead of turning it into a number.
            var cells = columns.Select(c => Reports.ReportCsvWriter.Neutralize(Value(row, c))).ToArray();
            text.Append(string.Join(',', cells.Select(CsvTemplate.Escape))).Append("\r\n");
            line += 1 + cells.Sum(LineBreaks);
        }
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private AccountInput Values(int row) => _current.TryGetValue(row, out var values) ? values : Original(row);

    private AccountInput Original(int row) =>
        _original.TryGetValue(row, out var values) ? values : throw new ArgumentOutOfRangeException(nameof(row), row, "The file has no such row.");

    private static bool Same(string? a, string? b) => CellText.Trim(a ?? "") == CellText.Trim(b ?? "");

    /// <summary>Line breaks inside a cell, as a CSV reader counts lines: CRLF, CR or LF each once.</summary>
    private static int LineBreaks(string cell)
    {
        var count = 0;
        for (var i = 0; i < cell.Length; i++)
        {
            if (cell[i] == '\n' || (cell[i] == '\r' && (i + 1 == cell.Length || cell[i + 1] != '\n')))
                count++;
        }
        return count;
    }
}
