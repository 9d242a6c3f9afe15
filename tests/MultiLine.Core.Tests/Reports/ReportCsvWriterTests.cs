using System.Text;
using MultiLine.Core.Batches;
using MultiLine.Core.Reports;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Reports;

public sealed class ReportCsvWriterTests : IDisposable
{
    private readonly ImportWorld _world = new();

    private async Task<int> AddBatchAsync(params BatchRow[] rows)
    {
        await using var db = _world.Database.CreateDbContext();
        var batch = new BatchOperation { Kind = BatchKind.Import, AdminName = "Test", OrganizationId = _world.Acme.Id, TotalRows = rows.Length, CreatedAtUtc = new DateTime(2026, 11, 24, 9, 30, 0, DateTimeKind.Utc) };
        batch.Rows.AddRange(rows);
        db.Batches.Add(batch);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return batch.Id;
    }

    private async Task<byte[]> ReportAsync(int batchId)
    {
        await using var db = _world.Database.CreateDbContext();
        using var output = new MemoryStream();
        await ReportCsvWriter.WriteAsync(db, batchId, output, TestContext.Current.CancellationToken);
        return output.ToArray();
    }

    [Fact]
    public async Task TheReportHasOneLinePerInputRowInInputOrderWithABom()
    {
        var id = await AddBatchAsync(
            new BatchRow { RowNumber = 4, FirstName = "Zoë", LastName = "Núñez", Username = "zoe@acme.example", Outcome = RowOutcome.Failed, Reason = "monitor_sms: \"yes\" is not one of on, off." },
            new BatchRow { RowNumber = 2, FirstName = "François", LastName = "Müller", Username = "francois@acme.example", Outcome = RowOutcome.Succeeded, Number = "+12125550100", Invitation = InvitationState.Queued },
            new BatchRow { RowNumber = 3, Username = "later@acme.example", Outcome = RowOutcome.Skipped, Reason = BatchProcessor.CancelledReason });

        var bytes = await ReportAsync(id);

        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "row,firstname,lastname,email address or device,multiline_number,outcome,reason,invitation",
            "2,François,Müller,francois@acme.example,'+12125550100,Succeeded,,Queued",
            "3,,,later@acme.example,,Skipped,Cancelled before this row was processed.,",
            "4,Zoë,Núñez,zoe@acme.example,,Failed,\"monitor_sms: \"\"yes\"\" is not one of on, off.\",",
        ], lines);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")")]
    [InlineData("+1+2", "'+1+2")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "'\rcmd")]
    [InlineData("Jane", "Jane")]
    [InlineData("", "")]
    public void CellsThatASpreadsheetWouldRunAreNeutralized(string value, string expected)
    {
        Assert.Equal(expected, ReportCsvWriter.Neutralize(value));
    }

    [Fact]
    public async Task InjectedNamesReachTheFileNeutralized()
    {
        var id = await AddBatchAsync(new BatchRow { RowNumber = 2, FirstName = "=cmd|'/c calc'!A0", LastName = "@evil", Username = "x@acme.example", Outcome = RowOutcome.Succeeded });

        var text = Encoding.UTF8.GetString(await ReportAsync(id));

        Assert.Contains("2,'=cmd|'/c calc'!A0,'@evil,x@acme.example,,Succeeded,,", text);
    }

    [Fact]
    public void TheFileNameSaysWhenWhereAndWhich()
    {
        var batch = new BatchOperation { Id = 42, AdminName = "A", CreatedAtUtc = new DateTime(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc) };

        Assert.Equal("batch-2026-11-24-acme-sales-emea-42.csv", ReportCsvWriter.FileName(batch, "Acme Sales / EMEA"));
        Assert.Equal("batch-2026-11-24-societe-generale-42.csv", ReportCsvWriter.FileName(batch, "Société Générale"));
    }

    public void Dispose() => _world.Dispose();
}
