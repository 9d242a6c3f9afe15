using System.Text;
using MultiLine.Core.Imports;
using static MultiLine.Core.Tests.Imports.CsvFiles;

namespace MultiLine.Core.Tests.Imports;

public sealed class ImportEditsTests : IDisposable
{
    private readonly ImportWorld _world = new();

    public void Dispose() => _world.Dispose();

    private async Task<(ImportValidationResult Result, ImportEdits Edits)> UploadAsync(string csv)
    {
        var result = await _world.ValidateAsync(csv);
        return (result, new ImportEdits(result, "team.csv"));
    }

    private Task<ImportValidationResult> CheckAsync(ImportEdits edits) =>
        _world.Validator().ValidateAsync(new MemoryStream(edits.ToUpload().Content), _world.Target(), TestContext.Current.CancellationToken);

    [Fact]
    public async Task AnEditedCellIsCheckedAgainByTheNormalPathAndKeepsItsRowNumber()
    {
        var (_, edits) = await UploadAsync(Lines(Header, Row("a@example.com"), "", Row("b@example.com", sms: "yes"), Row("c@example.com")));

        edits.Edit(4, CsvColumn.MonitorSms, "off");
        var result = await CheckAsync(edits);

        Assert.Equal(new ImportCounts(3, 3, 0, 0), result.Counts);
        Assert.Equal([2, 4, 5], result.Rows.Select(r => r.RowNumber));
        Assert.Equal("off", result.Rows[1].Values.MonitorSms);
        Assert.Equal(new BrowserEdits(1, 0), edits.Summary);
        Assert.True(edits.IsEdited(4, CsvColumn.MonitorSms));
        Assert.Equal("yes", edits.OriginalValue(4, CsvColumn.MonitorSms));
    }

    [Fact]
    public async Task ARemovedRowIsLeftOutAndTheOthersKeepTheirNumbers()
    {
        var (_, edits) = await UploadAsync(Lines(Header, Row("a@example.com"), Row("bad", sms: "yes"), Row("c@example.com", sms: "maybe")));

        edits.Remove(3);
        var result = await CheckAsync(edits);

        Assert.Equal([2, 4], result.Rows.Select(r => r.RowNumber));
        Assert.Equal(["Row 4, monitor_sms: \"maybe\" is not one of on, off."], result.RowProblems.Select(p => p.Text));
        Assert.Equal(new BrowserEdits(0, 1), edits.Summary);

        edits.Restore(3);
        Assert.False(edits.HasChanges);
        Assert.Equal([2, 3, 4], (await CheckAsync(edits)).Rows.Select(r => r.RowNumber));
    }

    [Fact]
    public async Task EditingACellBackToWhatTheFileHadIsNoEdit()
    {
        var (_, edits) = await UploadAsync(Lines(Header, Row("a@example.com")));

        edits.Edit(2, CsvColumn.FirstName, "Janet");
        edits.Edit(2, CsvColumn.FirstName, " Jane ");

        Assert.False(edits.HasChanges);
        Assert.Equal(0, edits.EditedRows);
    }

    [Fact]
    public async Task TheEditedCsvRoundTripsQuotesCommasSemicolonsLineBreaksAndUnicode()
    {
        // Row 3's quoted name spans two lines of the file, so the next row is row 5, as the spreadsheet numbers it.
        var (_, edits) = await UploadAsync(Lines(Header, Row("a@example.com"), Row("b@example.com", last: "\"two\nlines\""), Row("c@example.com")));

        edits.Edit(2, CsvColumn.FirstName, "Zoë \"Z\", Jr.");
        edits.Edit(2, CsvColumn.LastName, "Núñez; 日本");
        edits.Edit(5, CsvColumn.FirstName, "Ünal");
        var bytes = edits.ToCsv();
        var read = await ReadAsync(bytes);

        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        Assert.False(read.HasFileErrors);
        Assert.Equal("Zoë \"Z\", Jr.", read.Rows[0].Values.FirstName);
        Assert.Equal("Núñez; 日本", read.Rows[0].Values.LastName);
        Assert.Equal("two\nlines", read.Rows[1].Values.LastName);
        Assert.Equal("Ünal", read.Rows[2].Values.FirstName);
        Assert.Equal([2, 3, 5], read.Rows.Select(r => r.RowNumber));
        Assert.Equal("team-edited.csv", edits.EditedFileName);
    }

    [Fact]
    public async Task TheEditedCsvWritesTheRequiredColumnsAndThoseWithValuesOnly()
    {
        var (_, edits) = await UploadAsync(Lines(Header, Row("a@example.com")));

        var text = Encoding.UTF8.GetString(edits.ToCsv()).TrimStart('\uFEFF');

        Assert.Equal("firstname,lastname,email address or device,social_messaging,monitor_calls,monitor_sms,language\r\nJane,Doe,a@example.com,No,auto,on,English\r\n", text);
    }

    [Fact]
    public async Task AnAcceptedRepairIsAnEditAndTheRowImportsWithTheRepairedValue()
    {
        var (result, edits) = await UploadAsync(Lines(Header, Row("14155550100"), Row("b@example.com")));
        var repair = Assert.Single(result.Repairs);

        edits.Edit(repair.Row, repair.Column, repair.Proposed);
        var after = await CheckAsync(edits);

        Assert.Equal(0, after.Counts.Invalid);
        Assert.Empty(after.Repairs);
        Assert.Equal("+14155550100", after.Rows[0].Draft!.Username.Value);
    }

    [Fact]
    public async Task AnEditedWorkbookKeepsItsNameAndIsCheckedAsTheCsvFileItNowIs()
    {
        var result = await _world.ValidateAsync(Lines(Header, Row("a@example.com")));
        var edits = new ImportEdits(result, "team.xlsx");
        edits.Edit(2, CsvColumn.FirstName, "Ana");

        var upload = edits.ToUpload();
        var read = await Reader().ReadAsync(upload, CsvPurpose.Import, TestContext.Current.CancellationToken);

        Assert.Equal(("team.xlsx", false), (upload.FileName, upload.IsWorkbook));
        Assert.False(read.HasFileErrors);
        Assert.Equal("Ana", Assert.Single(read.Rows).Values.FirstName);
        Assert.Equal("Team.CSV", new ImportEdits(result, "Team.CSV").ToUpload().FileName);
    }

    [Fact]
    public async Task TheEditedCsvIsFormulaSafeAndReadsBackAsEdited()
    {
        var (_, edits) = await UploadAsync(Lines(Header, Row("a@example.com"), Row("b@example.com")));
        edits.Edit(2, CsvColumn.FirstName, "=HYPERLINK(\"http://x\")");
        edits.Edit(3, CsvColumn.Username, "+14155550100");
        edits.Edit(3, CsvColumn.LastName, "-Doe");

        var bytes = edits.ToCsv();
        var text = Encoding.UTF8.GetString(bytes);
        var read = await ReadAsync(bytes);

        // A spreadsheet shows these as text: the name does not run, and the number keeps its +.
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\")\"", text);
        Assert.Contains(",'-Doe,'+14155550100,", text);
        Assert.Equal("=HYPERLINK(\"http://x\")", read.Rows[0].Values.FirstName);
        Assert.Equal(("-Doe", "+14155550100"), (read.Rows[1].Values.LastName, read.Rows[1].Values.Username));
        var after = await CheckAsync(edits);
        Assert.Equal("+14155550100", after.Rows[1].Draft!.Username.Value);
    }

    [Fact]
    public async Task OnlyTheImportsColumnsAndKnownRowsCanBeEdited()
    {
        var (_, edits) = await UploadAsync(Lines(Header, Row("a@example.com")));

        Assert.Throws<ArgumentOutOfRangeException>(() => edits.Edit(2, CsvColumn.Status, "Active"));
        Assert.Throws<ArgumentOutOfRangeException>(() => edits.Edit(9, CsvColumn.FirstName, "X"));
        Assert.Throws<ArgumentOutOfRangeException>(() => edits.Remove(9));
    }
}
