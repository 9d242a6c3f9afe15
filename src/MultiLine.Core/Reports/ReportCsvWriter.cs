using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Reports;

/// <summary>
/// The Batch Operations Report CSV: one line per input row, in input order. UTF-8 with BOM so Excel reads accents,
/// and every cell that Excel would run as a formula is neutralized (OWASP CSV injection).
/// </summary>
public static class ReportCsvWriter
{
    public static readonly string[] Header = ["row", "firstname", "lastname", "email address or device", "multiline_number", "outcome", "reason", "invitation"];

    /// <summary>A file name an admin can recognize later: <c>batch-2026-11-24-acme-sales-42.csv</c>.</summary>
    public static string FileName(BatchOperation batch, string organizationName) =>
        $"batch-{batch.CreatedAtUtc:yyyy-MM-dd}-{Slug(organizationName)}-{batch.Id}.csv";

    /// <summary>Streams the report of <paramref name="batchId"/> in pages of rows, so large batches need little memory.</summary>
    public static async Task WriteAsync(MultiLineDbContext db, int batchId, Stream output, CancellationToken cancellationToken = default)
    {
        await using var csv = CreateWriter(output);
        foreach (var column in Header)
            csv.WriteField(column);
        await csv.NextRecordAsync();

        var after = 0;
        while (true)
        {
            var rows = await BatchQueries.WithDelivery(db, db.BatchRows.AsNoTracking()
                    .Where(r => r.BatchOperationId == batchId && r.RowNumber > after)
                    .OrderBy(r => r.RowNumber)
                    .Take(1000))
                .ToListAsync(cancellationToken);
            if (rows.Count == 0)
                break;
            rows.Sort((a, b) => a.RowNumber.CompareTo(b.RowNumber));
            foreach (var row in rows)
            {
                csv.WriteField(row.RowNumber.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(Neutralize(row.FirstName));
                csv.WriteField(Neutralize(row.LastName));
                csv.WriteField(Neutralize(row.Username));
                csv.WriteField(Neutralize(row.Number));
                csv.WriteField(OutcomeLabel(row.Outcome));
                csv.WriteField(Neutralize(row.FullReason));
                csv.WriteField(InvitationLabel(row.Invitation));
                await csv.NextRecordAsync();
            }
            after = rows[^1].RowNumber;
        }
        await csv.FlushAsync();
    }

    /// <summary>
    /// A CSV writer for the portal's downloads: UTF-8 with BOM (Excel reads accents), CRLF lines, CsvHelper's quoting, and a
    /// 64 KB buffer, so a large file goes out as it is written. Disposing it flushes; the stream stays open.
    /// </summary>
    public static CsvWriter CreateWriter(Stream output) =>
        new(new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 64 * 1024, leaveOpen: true),
            new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = "\r\n" });

    /// <summary>A cell starting with =, +, -, @, tab or CR gets a leading apostrophe, so a spreadsheet shows it as text.</summary>
    public static string Neutralize(string? value) =>
        string.IsNullOrEmpty(value) ? "" : value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    public static string InvitationLabel(InvitationState? state) => state switch
    {
        null => "",
        InvitationState.Replaced => "Replaced by a resend",
        _ => state.ToString()!,
    };

    public static string OutcomeLabel(RowOutcome outcome) => outcome == RowOutcome.Pending ? "Not processed yet" : outcome.ToString();

    private static string Slug(string name)
    {
        var builder = new StringBuilder();
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetterOrDigit(c))
                builder.Append(char.ToLowerInvariant(c));
            else if ((c == ' ' || c == '-' || c == '_') && builder.Length > 0 && builder[^1] != '-')
                builder.Append('-');
        }
        return builder.ToString().Trim('-') is { Length: > 0 } slug ? slug : "organization";
    }
}
