using MultiLine.Core.Batches;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Extensions.Options;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Tests.Imports;

public sealed class XlsxTemplateTests : IDisposable
{
    private readonly ImportWorld _world = new();
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public void Dispose() => _world.Dispose();

    [Fact]
    public void PhoneColumnsAreFormattedAsTextForTheWholeColumn()
    {
        var template = XlsxTemplate.For(new Organization { Name = "Acme", SocialMessagingEnabled = true }, 1000);

        using var document = SpreadsheetDocument.Open(new MemoryStream(template.Content), false);
        var workbook = document.WorkbookPart!;
        var sheet = Sheet(document, XlsxTemplate.DataSheet);
        var formats = workbook.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<CellFormat>().Select(f => f.NumberFormatId!.Value).ToArray();
        var textColumns = sheet.Worksheet.GetFirstChild<Columns>()!.Elements<Column>()
            .Where(c => c.Style is not null && formats[c.Style.Value] == 49)
            .Select(c => template.Columns[(int)c.Min!.Value - 1])
            .ToArray();

        Assert.Equal([CsvColumn.Username, CsvColumn.MultiLineNumber, CsvColumn.ForwardingNumber], textColumns);
        Assert.Equal("multiline-accounts-acme.xlsx", template.FileName);
        Assert.Equal([XlsxTemplate.DataSheet, XlsxTemplate.InstructionsSheet], workbook.Workbook.Sheets!.Elements<Sheet>().Select(s => s.Name!.Value));
    }

    [Fact]
    public void ColumnsWithAFewValuesHaveDropDownsAndEveryColumnItsInstruction()
    {
        var template = XlsxTemplate.For(new Organization { Name = "Acme", SocialMessagingEnabled = true }, 1000);

        using var document = SpreadsheetDocument.Open(new MemoryStream(template.Content), false);
        var validations = Sheet(document, XlsxTemplate.DataSheet).Worksheet.GetFirstChild<DataValidations>()!.Elements<DataValidation>().ToList();
        var lists = validations.Where(v => v.Type?.Value == DataValidationValues.List)
            .ToDictionary(v => v.SequenceOfReferences!.InnerText ?? "", v => v.Formula1!.Text);

        Assert.Equal(new Dictionary<string, string>
        {
            ["D2:D1001"] = "\"Yes,No\"", // social_messaging
            ["F2:F1001"] = "\"auto,off\"", // monitor_calls
            ["G2:G1001"] = "\"on,off\"", // monitor_sms
            ["I2:I1001"] = "\"true,false\"", // restrict_incoming_social_messaging
            ["J2:J1001"] = "\"English,Italian,German,French,Spanish\"", // language
        }, lists);
        Assert.Equal(template.Columns.Count, validations.Count);
        Assert.All(validations, v => Assert.False(string.IsNullOrEmpty(v.Prompt?.Value)));
        var instructions = Sheet(document, XlsxTemplate.InstructionsSheet).Worksheet.Descendants<Text>().Select(t => t.Text).ToList();
        Assert.Contains("Required. auto (records calls) or off.", instructions);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task TemplateOfEachOrganizationKindUploadsWithAValidExampleAndNoNoteRow(bool social, bool offload)
    {
        var organization = _world.AddOrganization($"Kind {social} {offload}", _world.Acme, social, offload);
        var template = XlsxTemplate.For(organization, 1000);

        var result = await _world.Validator().ValidateAsync(new ImportUpload(template.FileName, template.Content), _world.Target(organization), Cancel);

        Assert.Empty(result.FileProblems);
        var row = Assert.Single(result.Rows);
        Assert.Equal(2, row.RowNumber);
        Assert.Empty(row.Problems);
        Assert.True(row.IsValid);
    }

    [Fact]
    public async Task TemplateWithNumbersHasOneRowPerAvailableNumberInAscendingOrder()
    {
        foreach (var number in new[] { "+14155550103", "+14155550101", "+14155550102", "+14155550100" })
            _world.AddNumber(_world.Acme, number);
        _world.AddNumber(_world.Acme, "+14155550099", NumberState.Reserved, tag: "KEEP");
        _world.AddNumber(_world.Other, "+14155550098");
        await using var db = Scoped();
        var templates = Templates();

        var most = await templates.MostNumbersAsync(db, _world.Acme.Id, Cancel);
        var (csv, _) = await templates.CreateAsync(db, _world.Acme.Id, TemplateFormat.Csv, 3, Cancel);
        var (xlsx, _) = await templates.CreateAsync(db, _world.Acme.Id, TemplateFormat.Xlsx, 3, Cancel);

        Assert.Equal(4, most);
        var lines = System.Text.Encoding.UTF8.GetString(csv!.Content).TrimStart('\uFEFF').Split("\r\n");
        Assert.Equal(",,,Yes,+14155550100,auto,on,,false,English", lines[2]);
        Assert.Equal(["+14155550100", "+14155550101", "+14155550102"], lines[2..5].Select(l => l.Split(',')[4]));
        Assert.Equal("multiline-accounts-acme-3-numbers.csv", csv.FileName);
        Assert.Equal("multiline-accounts-acme-3-numbers.xlsx", xlsx!.FileName);

        // The admin types names and usernames only; the numbers' rows then import as they are.
        var upload = new ImportUpload(xlsx.FileName, FillUsernames(xlsx.Content));
        var result = await _world.Validator().ValidateAsync(upload, _world.Target(), Cancel);
        Assert.Empty(result.FileProblems);
        Assert.Equal(["+14155550100", "+14155550101", "+14155550102"], result.Rows.Select(r => r.Values.MultiLineNumber));
        Assert.All(result.Rows, r => Assert.True(r.IsValid, string.Join("; ", r.Problems.Select(p => p.Text))));
    }

    [Fact]
    public async Task TemplateWithNumbersIsRefusedBeyondTheAvailableNumbersTheRowLimitAndTheScope()
    {
        _world.AddNumber(_world.Acme, "+14155550100");
        _world.AddNumber(_world.Other, "+14155550101");
        await using var db = Scoped();
        var templates = Templates(maxRows: 5);

        var (_, tooMany) = await templates.CreateAsync(db, _world.Acme.Id, TemplateFormat.Csv, 2, Cancel);
        var (_, overLimit) = await templates.CreateAsync(db, _world.Acme.Id, TemplateFormat.Csv, 6, Cancel);
        var (_, none) = await templates.CreateAsync(db, _world.Team.Id, TemplateFormat.Xlsx, 1, Cancel);
        var (_, foreign) = await templates.CreateAsync(db, _world.Other.Id, TemplateFormat.Xlsx, 1, Cancel);

        Assert.Equal("Acme has 1 Available number; choose at most 1.", tooMany!.Message);
        Assert.Equal("Choose between 1 and 5 numbers: one file holds at most 5 accounts.", overLimit!.Message);
        Assert.Equal("Team has no Available number. Add numbers to the organization first.", none!.Message);
        Assert.True(foreign!.NotFound);
        Assert.Equal(0, await templates.MostNumbersAsync(db, _world.Other.Id, Cancel));
    }

    [Fact]
    public async Task TemplateWithNumbersLeavesOutNumbersABatchWaitingToRunWillTake()
    {
        foreach (var number in new[] { "+14155550100", "+14155550101", "+14155550102", "+14155550103" })
            _world.AddNumber(_world.Acme, number);
        await using (var db = _world.Database.CreateDbContext())
        {
            db.Batches.Add(Batch(BatchState.Queued, ("+14155550101", RowOutcome.Pending)));
            db.Batches.Add(Batch(BatchState.Running, ("+14155550102", RowOutcome.Failed), ("+14155550100", RowOutcome.Pending)));
            // A finished batch's rows hold nothing any more (a failed row left its number Available).
            db.Batches.Add(Batch(BatchState.CompletedWithErrors, ("+14155550103", RowOutcome.Failed)));
            await db.SaveChangesAsync(Cancel);
        }
        await using var scoped = Scoped();
        var templates = Templates();

        Assert.Equal(2, await templates.MostNumbersAsync(scoped, _world.Acme.Id, Cancel));
        Assert.Equal(["+14155550102", "+14155550103"], await AccountTemplates.AvailableNumbersAsync(scoped, _world.Acme.Id, 5, Cancel));
    }

    private BatchOperation Batch(BatchState state, params (string Number, RowOutcome Outcome)[] rows)
    {
        var batch = new BatchOperation { Kind = BatchKind.Import, State = state, AdminName = "Test", OrganizationId = _world.Acme.Id, TotalRows = rows.Length, CreatedAtUtc = DateTime.UtcNow };
        batch.Rows.AddRange(rows.Select((r, i) => new BatchRow { RowNumber = i + 2, Username = $"u{i}@example.com", MultiLineNumber = r.Number, Outcome = r.Outcome }));
        return batch;
    }

    private MultiLine.Core.Persistence.MultiLineDbContext Scoped() => _world.Database.CreateDbContext().WithScope(_world.AcmeAdmin);

    private static AccountTemplates Templates(int maxRows = 1000) => new(Options.Create(new ImportOptions { MaxRows = maxRows }));

    private static WorksheetPart Sheet(SpreadsheetDocument document, string name)
    {
        var workbook = document.WorkbookPart!;
        var sheet = workbook.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == name);
        return (WorksheetPart)workbook.GetPartById(sheet.Id!.Value!);
    }

    /// <summary>Types a username into column C of every data row, as an admin would in Excel.</summary>
    private static byte[] FillUsernames(byte[] workbook)
    {
        using var stream = new MemoryStream();
        stream.Write(workbook);
        using (var document = SpreadsheetDocument.Open(stream, true))
        {
            var sheet = Sheet(document, XlsxTemplate.DataSheet);
            foreach (var row in sheet.Worksheet.Descendants<Row>().Where(r => r.RowIndex!.Value > 1))
            {
                var cell = row.Elements<Cell>().Single(c => c.CellReference == $"C{row.RowIndex!.Value}");
                cell.DataType = CellValues.InlineString;
                cell.InlineString = new InlineString(new Text($"user{row.RowIndex!.Value}@example.com"));
            }
        }
        return stream.ToArray();
    }
}
