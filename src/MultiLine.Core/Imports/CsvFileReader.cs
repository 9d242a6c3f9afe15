using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Extensions.Options;

namespace MultiLine.Core.Imports;

/// <summary>One data row of an uploaded file: its row number as a spreadsheet shows it, its cells by column, and reading problems.</summary>
public sealed record CsvRow(int RowNumber, AccountInput Values, IReadOnlyList<ImportProblem> Problems);

/// <summary>What reading an uploaded file gave. When <see cref="HasFileErrors"/>, <see cref="Rows"/> is empty.</summary>
public sealed record CsvReadResult(
    IReadOnlyList<ImportProblem> FileProblems,
    IReadOnlyList<CsvRow> Rows,
    string? Sha256,
    string? EncodingName,
    char Separator,
    IReadOnlyList<CsvColumn> Columns)
{
    public bool HasFileErrors => FileProblems.Any(p => p.IsError);
}

/// <summary>What a file is read for: an import (its required columns, the export's columns unused) or an update from CSV.</summary>
public enum CsvPurpose { Import, Update }

/// <summary>
/// Reads an account CSV the way real spreadsheets write it: detects encoding and separator, matches headers, trims cells
/// (invisible characters too, see <see cref="CellText"/>), skips blank lines and the template's Note row, numbers rows as
/// the spreadsheet shows them, and enforces the upload limits.
/// The file is copied once into memory (hashed there) and parsed from that buffer.
/// </summary>
public sealed class CsvFileReader(IOptions<ImportOptions> options)
{
    private readonly ImportOptions _options = options.Value;

    public Task<CsvReadResult> ReadAsync(Stream file, CancellationToken cancellationToken = default) =>
        ReadAsync(file, CsvPurpose.Import, cancellationToken);

    public async Task<CsvReadResult> ReadAsync(Stream file, CsvPurpose purpose, CancellationToken cancellationToken = default)
    {
        // An upload already in memory (ImportUpload.OpenRead) is read where it is: a copy of a 100,000-row file is 16 MB
        // more at the commit's peak.
        if (file is MemoryStream memory && memory.TryGetBuffer(out var held))
        {
            var position = (int)memory.Position;
            return held.Count - position > _options.MaxFileBytes
                ? TooLarge()
                : Read(held.Array!, held.Offset + position, held.Count - position, purpose, cancellationToken);
        }

        var content = await ReadAllAsync(file, _options.MaxFileBytes, cancellationToken);
        if (content is null)
            return TooLarge();

        var (buffer, length) = content.Value;
        try
        {
            return Read(buffer, 0, length, purpose, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private CsvReadResult TooLarge() =>
        Refused(null, $"The file is larger than {Megabytes(_options.MaxFileBytes)}, the most one upload can hold. Split it into smaller files.");

    private CsvReadResult Read(byte[] buffer, int offset, int length, CsvPurpose purpose, CancellationToken cancellationToken)
    {
        var bytes = buffer.AsSpan(offset, length);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var (encoding, bomLength) = CsvEncodingDetection.Detect(bytes);
        if (length - bomLength == 0)
            return Refused(sha256, EmptyMessage);
        // The start of the text, decoded once, tells binary from text and holds the header line the separator comes from;
        // the parser decodes the whole file as it reads.
        var sample = encoding.GetString(bytes[bomLength..Math.Min(length, bomLength + CsvEncodingDetection.SampleBytes)]);
        if (CsvEncodingDetection.NotTextReason(bytes, sample) is { } notText)
            return Refused(sha256, notText);
        var (separator, hasSeparatorLine) = DetectSeparator(sample);
        using var text = new StreamReader(new MemoryStream(buffer, offset + bomLength, length - bomLength, writable: false), encoding,
            detectEncodingFromByteOrderMarks: false, bufferSize: 16_384);
        return Parse(text, separator, hasSeparatorLine, sha256, encoding.WebName, purpose, cancellationToken);
    }

    private CsvReadResult Parse(TextReader text, char separator, bool hasSeparatorLine, string sha256, string encodingName, CsvPurpose purpose, CancellationToken cancellationToken)
    {
        var problems = new List<ImportProblem>();
        var rows = new List<CsvRow>();
        var badQuotes = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = separator.ToString(),
            IgnoreBlankLines = false,
            BadDataFound = args => badQuotes |= args.Field.TrimStart().StartsWith('"'),
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            TrimOptions = TrimOptions.Trim,
        };
        using var parser = new CsvParser(text, configuration);

        // A "sep=;" first line is Excel's separator hint; Excel hides it, so the header is still row 1.
        var rowOffset = hasSeparatorLine ? -1 : 0;
        var previousRawRow = 0;
        int[]? header = null;
        var columns = new List<CsvColumn>();
        var dataRows = 0;
        var cells = new string[16];

        while (parser.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rowNumber = previousRawRow + 1 + rowOffset;
            previousRawRow = parser.RawRow;
            if (hasSeparatorLine && rowNumber == 0)
                continue;

            var count = parser.Count;
            if (cells.Length < count)
                cells = new string[count * 2];
            var width = 0;
            for (var i = 0; i < count; i++)
            {
                var cell = CellText.Trim(parser[i]);
                cells[i] = cell;
                if (cell.Length > 0)
                    width = i + 1;
            }
            // CsvHelper reports bad quotes while the fields are read, so look only now.
            var quotesBroken = badQuotes;
            badQuotes = false;
            if (width == 0)
                continue; // blank line or separators only

            if (header is null)
            {
                // The accounts export's header block (report name, time, organization) precedes its column names.
                if (cells[0].StartsWith('#'))
                    continue;
                header = ReadHeader(cells.AsSpan(0, width), problems, columns, purpose);
                if (problems.Any(p => p.IsError))
                    return new CsvReadResult(problems, [], sha256, encodingName, separator, columns);
                continue;
            }

            if (IsNoteRow(cells[0]))
            {
                problems.Add(ImportProblem.FileWarning(
                    $"Row {rowNumber} is the template's Note row of instructions; it was skipped. Delete it before uploading."));
                continue;
            }

            dataRows++;
            if (dataRows > _options.MaxRows)
                continue; // keep counting for the message, keep nothing
            rows.Add(ReadRow(rowNumber, cells.AsSpan(0, width), header, quotesBroken));
        }

        if (header is null)
            return Refused(sha256, EmptyMessage, encodingName, separator);
        if (dataRows == 0)
            problems.Add(ImportProblem.FileError("The file has a header row but no accounts. Add one row per account under the header row."));
        else if (dataRows > _options.MaxRows)
            problems.Add(ImportProblem.FileError(TooManyRowsMessage(dataRows, _options.MaxRows)));

        return problems.Any(p => p.IsError)
            ? new CsvReadResult(problems, [], sha256, encodingName, separator, columns)
            : new CsvReadResult(problems, rows, sha256, encodingName, separator, columns);
    }

    public static string TooManyRowsMessage(int rows, int maxRows) =>
        string.Create(CultureInfo.InvariantCulture,
            $"The file has {rows:N0} accounts; at most {maxRows:N0} can be imported at once. Split it into smaller files.");

    internal const string EmptyMessage = "The file is empty. Download the template, add one row per account and upload it again.";

    private static CsvRow ReadRow(int rowNumber, ReadOnlySpan<string> cells, int[] header, bool quotesBroken)
    {
        var values = new AccountInput();
        List<ImportProblem>? problems = null;
        for (var i = 0; i < cells.Length; i++)
        {
            if (i < header.Length)
            {
                if (header[i] >= 0)
                    values.Set((CsvColumn)header[i], cells[i]);
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

    /// <summary>The template's instructions row: first cell "Note", "Note:" or "Note ..." (not a name such as "Notley").</summary>
    internal static bool IsNoteRow(string firstCell) =>
        firstCell.StartsWith("note", StringComparison.OrdinalIgnoreCase) && (firstCell.Length == 4 || !char.IsLetter(firstCell[4]));

    /// <summary>Comma, semicolon or tab: whichever the header line (outside quotes) holds most; ties go to comma.</summary>
    internal static (char Separator, bool HasSeparatorLine) DetectSeparator(string sample)
    {
        if (sample.StartsWith("sep=", StringComparison.OrdinalIgnoreCase) && sample.Length >= 5
            && (sample.Length == 5 || sample[5] is '\r' or '\n'))
            return (sample[4], true);

        int commas = 0, semicolons = 0, tabs = 0;
        var quoted = false;
        var seenText = false;
        foreach (var c in sample)
        {
            if (c == '"')
                quoted = !quoted;
            else if (!quoted && c is '\r' or '\n')
            {
                if (seenText)
                    break;
                continue;
            }
            else if (!quoted)
            {
                if (c == ',') commas++;
                else if (c == ';') semicolons++;
                else if (c == '\t') tabs++;
                else if (!char.IsWhiteSpace(c)) seenText = true;
            }
        }
        if (semicolons > commas && semicolons >= tabs)
            return (';', false);
        if (tabs > commas && tabs > semicolons)
            return ('\t', false);
        return (',', false);
    }

    private static CsvReadResult Refused(string? sha256, string message, string? encodingName = null, char separator = ',') =>
        new([ImportProblem.FileError(message)], [], sha256, encodingName, separator, []);

    private static string Megabytes(long bytes) => bytes switch
    {
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:0.##} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.##} KB"),
    };

    /// <summary>
    /// The whole upload in one buffer rented from the shared pool (the caller returns it), or null when it is over
    /// <paramref name="maxBytes"/>. Pooled because a file of more than 85 KB would otherwise be a fresh large-object
    /// allocation on every check, and those bring on full garbage collections: a fifth of the time of checking a
    /// 1,000-row file went to waiting for them (docs/performance.md).
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)?> ReadAllAsync(Stream file, long maxBytes, CancellationToken cancellationToken)
    {
        if (file.CanSeek)
        {
            var remaining = file.Length - file.Position;
            if (remaining > maxBytes)
                return null;
            var exact = ArrayPool<byte>.Shared.Rent((int)remaining);
            try
            {
                await file.ReadExactlyAsync(exact.AsMemory(0, (int)remaining), cancellationToken);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(exact);
                throw;
            }
            return (exact, (int)remaining);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(81_920);
        var length = 0;
        try
        {
            int read;
            while ((read = await file.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
                if (length > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return null;
                }
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        return (buffer, length);
    }
}
