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
/// Reads an account file the way real spreadsheets write it. A CSV: detects encoding and separator, matches headers, trims
/// cells (invisible characters too, see <see cref="CellText"/>), skips blank lines and the template's Note row, numbers
/// rows as the spreadsheet shows them, and enforces the upload limits. An Excel workbook (named .xlsx, or a zip whatever
/// its name) goes to <see cref="WorkbookReader"/>, which feeds the same <see cref="AccountRows"/>.
/// The file is copied once into memory (hashed there) and parsed from that buffer.
/// </summary>
public sealed class CsvFileReader(IOptions<ImportOptions> options)
{
    private readonly ImportOptions _options = options.Value;

    public Task<CsvReadResult> ReadAsync(Stream file, CancellationToken cancellationToken = default) =>
        ReadAsync(file, CsvPurpose.Import, cancellationToken);

    public Task<CsvReadResult> ReadAsync(Stream file, CsvPurpose purpose, CancellationToken cancellationToken = default) =>
        ReadAsync(file, purpose, workbookByName: false, sheet: null, cancellationToken);

    /// <summary>An upload as received: a workbook by its .xlsx name (or its content), its <see cref="ImportUpload.Sheet"/> read.</summary>
    public Task<CsvReadResult> ReadAsync(ImportUpload upload, CsvPurpose purpose, CancellationToken cancellationToken = default) =>
        ReadAsync(upload.OpenRead(), purpose, upload.IsWorkbook, upload.Sheet, cancellationToken);

    private async Task<CsvReadResult> ReadAsync(Stream file, CsvPurpose purpose, bool workbookByName, string? sheet, CancellationToken cancellationToken)
    {
        // An upload already in memory (ImportUpload.OpenRead) is read where it is: a copy of a 100,000-row file is 16 MB
        // more at the commit's peak.
        if (file is MemoryStream memory && memory.TryGetBuffer(out var held))
        {
            var position = (int)memory.Position;
            return held.Count - position > _options.MaxFileBytes
                ? TooLarge()
                : ReadContent(held.Array!, held.Offset + position, held.Count - position, purpose, workbookByName, sheet, cancellationToken);
        }

        var content = await ReadAllAsync(file, _options.MaxFileBytes, cancellationToken);
        if (content is null)
            return TooLarge();

        var (buffer, length) = content.Value;
        try
        {
            return ReadContent(buffer, 0, length, purpose, workbookByName, sheet, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A workbook (by its name or its zip signature) or a CSV file, read from <paramref name="buffer"/> where it is.</summary>
    private CsvReadResult ReadContent(byte[] buffer, int offset, int length, CsvPurpose purpose, bool workbookByName, string? sheet, CancellationToken cancellationToken)
    {
        if (!workbookByName && !WorkbookReader.IsZip(buffer.AsSpan(offset, length)))
            return Read(buffer, offset, length, purpose, cancellationToken);
        var workbook = offset == 0 ? buffer : buffer.AsSpan(offset, length).ToArray();
        return WorkbookReader.Read(workbook, length, sheet, new AccountRows(_options, purpose), _options, cancellationToken);
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
        var rows = new AccountRows(_options, purpose);
        var cells = new string[16];

        while (!rows.Stopped && parser.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rowNumber = previousRawRow + 1 + rowOffset;
            previousRawRow = parser.RawRow;
            if (hasSeparatorLine && rowNumber == 0)
                continue;

            var count = parser.Count;
            if (cells.Length < count)
                cells = new string[count * 2];
            for (var i = 0; i < count; i++)
                cells[i] = CellText.Trim(parser[i]);
            // CsvHelper reports bad quotes while the fields are read, so look only now.
            var quotesBroken = badQuotes;
            badQuotes = false;
            rows.Add(rowNumber, cells.AsSpan(0, count), quotesBroken);
        }
        return rows.Finish(sha256, encodingName, separator);
    }

    public static string TooManyRowsMessage(int rows, int maxRows) => AccountRows.TooManyRowsMessage(rows, maxRows);

    internal const string EmptyMessage = AccountRows.EmptyMessage;

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
