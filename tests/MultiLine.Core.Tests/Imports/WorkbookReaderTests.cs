using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using MultiLine.Core.Imports;
using MultiLine.Tests;
using static MultiLine.Core.Tests.Imports.CsvFiles;
using W = MultiLine.Tests.TestWorkbook;

namespace MultiLine.Core.Tests.Imports;

public sealed class WorkbookReaderTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static Task<CsvReadResult> ReadAsync(byte[] workbook, string? sheet = null, CsvFileReader? reader = null) =>
        (reader ?? Reader()).ReadAsync(new ImportUpload("accounts.xlsx", workbook, sheet), CsvPurpose.Import, Cancel);

    private static byte[] Accounts(params W.CellValue?[]?[] rows) => W.Create().Sheet("Accounts", [W.Header, .. rows]).ToBytes();

    [Fact]
    public async Task TextPhoneCellStaysTextWithItsPlusAndNothingIsSaidAboutIt()
    {
        var result = await ReadAsync(Accounts(W.Row("+14155550100", number: "+14155550123", forwarding: W.Inline("+4930123456"))));

        Assert.Empty(result.FileProblems);
        var row = Assert.Single(result.Rows);
        Assert.Equal(2, row.RowNumber);
        Assert.Equal(("+14155550100", "+14155550123", "+4930123456"), (row.Values.Username, row.Values.MultiLineNumber, row.Values.ForwardingNumber));
        Assert.Empty(row.Problems);
    }

    [Fact]
    public async Task NumericPhoneCellReachesTheRulesAsExcelShowsItAndIsReportedAsANumber()
    {
        var result = await ReadAsync(Accounts(
            null,
            null,
            W.Row("jane@example.com", number: W.Number(14155550100)),
            W.Row("joe@example.com", number: W.Number(4930123456, "00000000000"))));

        Assert.Equal([4, 5], result.Rows.Select(r => r.RowNumber));
        Assert.Equal(["14155550100", "04930123456"], result.Rows.Select(r => r.Values.MultiLineNumber));
        var problem = Assert.Single(result.Rows[0].Problems);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.StartsWith("Row 4, multiline_number: Excel stored 14155550100 as a number, not text", problem.Text);
        Assert.Equal("14155550100", problem.Value);
        Assert.StartsWith("Row 5, multiline_number: Excel stored 04930123456 as a number", Assert.Single(result.Rows[1].Problems).Text);
    }

    [Fact]
    public async Task DateInATextColumnIsAnErrorThatShowsTheDate()
    {
        var row = W.Row("jane@example.com");
        row[0] = W.Date(new DateTime(2024, 3, 5));

        var result = await ReadAsync(Accounts(row));

        var problem = Assert.Single(Assert.Single(result.Rows).Problems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal("Row 2, firstname: Excel turned this value into a date (3/5/2024). Format the column as Text and type the value again.", problem.Text);
    }

    [Fact]
    public async Task FirstVisibleSheetIsReadUnlessAnotherIsPicked()
    {
        var workbook = W.Create()
            .Sheet("Read me first", [["Instructions only"]])
            .Sheet("Accounts", [W.Header, W.Row("a@example.com"), W.Row("b@example.com")])
            .ToBytes();

        var first = await ReadAsync(workbook);
        var picked = await ReadAsync(workbook, sheet: "accounts");

        Assert.True(first.HasFileErrors);
        Assert.Equal(2, first.FileProblems.Count(p => p.IsError));
        Assert.StartsWith("The file has no email address or device, social_messaging, monitor_calls and monitor_sms columns", first.FileProblems.First(p => p.IsError).Text);
        // A cover sheet in front: the header's problem alone would not say that another sheet may hold the accounts.
        Assert.Equal("The sheet \"Read me first\" has no accounts' header row. Choose the sheet that holds the accounts; the workbook's sheets are \"Read me first\" and \"Accounts\".",
            first.FileProblems.Last(p => p.IsError).Text);
        Assert.Empty(picked.FileProblems);
        Assert.Equal(["a@example.com", "b@example.com"], picked.Rows.Select(r => r.Values.Username));
        Assert.Equal(["Read me first", "Accounts"], WorkbookReader.SheetNames(workbook, new ImportOptions()));
        // Two sheets of one workbook are two different imports; the first sheet keeps the file's own hash.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(workbook)), first.Sha256);
        Assert.NotEqual(first.Sha256, picked.Sha256);
    }

    [Fact]
    public async Task AHiddenSheetIsNeitherOfferedNorReadByName()
    {
        var workbook = W.Create()
            .Sheet("Lists", [W.Header, W.Row("hidden@example.com")], hidden: true)
            .Sheet("Accounts", [W.Header, W.Row("a@example.com")])
            .ToBytes();

        var first = await ReadAsync(workbook);
        var named = await ReadAsync(workbook, sheet: "Lists");

        Assert.Equal(["Accounts"], WorkbookReader.SheetNames(workbook, new ImportOptions()));
        Assert.Equal(["a@example.com"], first.Rows.Select(r => r.Values.Username));
        Assert.Equal("The sheet \"Lists\" is hidden. Unhide it in Excel, or choose one of the visible sheets: \"Accounts\".", Assert.Single(named.FileProblems).Text);
        Assert.Empty(named.Rows);
    }

    [Fact]
    public async Task BuiltInNumberFormatsReadAsExcelShowsThemAndAScientificPhoneNumberKeepsItsDigits()
    {
        var result = await ReadAsync(Accounts(
            W.Row("a@example.com", number: W.BuiltIn(14155550100, 1)),
            W.Row("b@example.com", number: W.BuiltIn(14155550100, 11)),
            W.Row("c@example.com", number: W.BuiltIn(14155550100, 3)),
            W.Row("d@example.com", number: W.BuiltIn(0.5, 9)),
            W.Row("e@example.com", number: W.BuiltIn(14155550100, 49))));

        // 0 and @ show the whole number; 0.00E+00 shows 1.42E+10 but the workbook holds every digit, as the formula bar
        // shows them; #,##0 and 0% are shown as Excel shows them (the repair proposal reads the grouped digits).
        Assert.Equal(["14155550100", "14155550100", "14,155,550,100", "50%", "14155550100"], result.Rows.Select(r => r.Values.MultiLineNumber));
        Assert.All(result.Rows, r => Assert.Contains("as a number, not text", Assert.Single(r.Problems).Text));
        Assert.Equal("+14155550100", SpreadsheetDamage.Inspect(4, CsvColumn.MultiLineNumber, result.Rows[2].Values.MultiLineNumber)?.Proposed);
    }

    [Fact]
    public async Task ABuiltInDateFormatIsReadAsADate()
    {
        var row = W.Row("jane@example.com");
        row[1] = W.BuiltIn(new DateTime(2024, 3, 5).ToOADate(), 14);

        var result = await ReadAsync(Accounts(row));

        Assert.Equal("Row 2, lastname: Excel turned this value into a date (3/5/2024). Format the column as Text and type the value again.",
            Assert.Single(Assert.Single(result.Rows).Problems).Text);
    }

    [Fact]
    public async Task UnknownSheetNameListsTheSheets()
    {
        var result = await ReadAsync(Accounts(W.Row("a@example.com")), sheet: "Users");

        Assert.Equal("The workbook has no sheet named \"Users\"; its sheets are \"Accounts\".", Assert.Single(result.FileProblems).Text);
    }

    [Fact]
    public async Task HeaderFoundBelowBlankRowsAndExportLinesAndTheNoteRowIsSkipped()
    {
        var workbook = W.Create().Sheet("Sheet1",
        [
            ["# MultiLine accounts"],
            null,
            ["First Name", "Last Name", "E-mail", "Social", "Number", "Call monitoring", "SMS monitoring"],
            ["Note: delete this row before uploading.", "Optional."],
            ["Jane", "Doe", "jane@example.com", "No", null, "auto", "on"],
            null,
            ["Joe", "Roe", "joe@example.com", "No", null, "off", "off", null, "extra"],
        ]).ToBytes();

        var result = await ReadAsync(workbook);

        Assert.Equal(["Row 4 is the template's Note row of instructions; it was skipped. Delete it before uploading."], result.FileProblems.Select(p => p.Text));
        Assert.Equal([5, 7], result.Rows.Select(r => r.RowNumber));
        Assert.Equal("Row 7: has values in columns without a name (I); they are ignored.", Assert.Single(result.Rows[1].Problems).Text);
    }

    [Fact]
    public async Task FileThatIsNotAWorkbookGetsAClearMessage()
    {
        var csvNamedXlsx = await ReadAsync(Utf8(Lines(Header, Row("a@example.com"))));
        var brokenZip = await ReadAsync([.. "PK\u0003\u0004"u8, .. new byte[200]]);
        var otherZip = await ReadAsync(Zip(("readme.txt", 10)));

        Assert.All([csvNamedXlsx, brokenZip, otherZip], r => Assert.Equal(WorkbookReader.NotAWorkbookMessage, Assert.Single(r.FileProblems).Text));
    }

    [Fact]
    public async Task WorkbookUploadedWithACsvNameIsStillReadAsAWorkbook()
    {
        var workbook = Accounts(W.Row("+14155550100"));

        var result = await Reader().ReadAsync(new MemoryStream(workbook), Cancel);

        Assert.Equal("+14155550100", Assert.Single(result.Rows).Values.Username);
    }

    [Fact]
    public async Task ZipThatUnpacksBeyondTheLimitIsRefusedBeforeItIsParsed()
    {
        // 200 MB of zeros packs into a fraction of a megabyte.
        var bomb = Zip(("xl/worksheets/sheet1.xml", 200 * 1024 * 1024));

        var result = await ReadAsync(bomb);

        Assert.True(bomb.Length < 1024 * 1024);
        Assert.Equal("The workbook unpacks to more than 50 MB, the most one upload can hold. Copy the accounts into a new workbook, or save them as CSV, and upload that.",
            Assert.Single(result.FileProblems).Text);
    }

    [Fact]
    public async Task SheetBeyondTheRowLimitIsRefusedWithItsCount()
    {
        var workbook = Accounts([.. Enumerable.Range(1, 4).Select(i => W.Row($"u{i}@example.com"))]);

        var result = await ReadAsync(workbook, reader: Reader(maxRows: 3));

        Assert.Equal("The file has 4 accounts; at most 3 can be imported at once. Split it into smaller files.", Assert.Single(result.FileProblems).Text);
        Assert.Empty(result.Rows);
    }

    [Fact]
    public async Task WorkbookLargerThanTheFileLimitIsRefused()
    {
        var workbook = Accounts([.. Enumerable.Range(1, 300).Select(i => W.Row($"user{i}@example.com"))]);

        var result = await ReadAsync(workbook, reader: Reader(maxFileBytes: 2048));

        Assert.StartsWith("The file is larger than 2 KB", Assert.Single(result.FileProblems).Text);
    }

    [Fact]
    public async Task ErrorAndBooleanCellsReadAsExcelShowsThem()
    {
        var row = W.Row("a@example.com", social: "Yes");
        row[0] = W.Error("#N/A");
        row[8] = W.Boolean(true);
        var workbook = W.Create().Sheet("S", [W.Header, row]).ToBytes();

        var result = await ReadAsync(workbook);

        var read = Assert.Single(result.Rows);
        Assert.Equal("Row 2, firstname: the cell shows the Excel error #N/A, not a value.", Assert.Single(read.Problems).Text);
        Assert.Equal("TRUE", read.Values.RestrictIncomingSocialMessaging);
    }

    private static byte[] Zip(params (string Name, int Zeros)[] entries)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, zeros) in entries)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                var chunk = new byte[1024 * 1024];
                for (var written = 0; written < zeros; written += chunk.Length)
                    entry.Write(chunk, 0, Math.Min(chunk.Length, zeros - written));
            }
        }
        return stream.ToArray();
    }

    /// <summary>
    /// A workbook written by hand, part by part, as Excel writes one (not through the Open XML SDK the reader uses, so a
    /// misreading both would share cannot hide): shared strings, built-in number formats by id only (49 = Text, 14 = a
    /// date), a General number, a hidden lookup sheet and the parts' relationships.
    /// </summary>
    [Fact]
    public async Task AWorkbookWrittenAsExcelWritesItReadsAsExcelShowsIt()
    {
        var strings = new[]
        {
            "firstname", "lastname", "email address or device", "social_messaging", "multiline_number", "monitor_calls",
            "monitor_sms", "forwarding_number", "restrict_incoming_social_messaging", "language", "Jane", "Doe", "+14155550100",
            "No", "auto", "on", "English", "Joe",
        };
        string S(int i, string cell) => $"<c r=\"{cell}\" t=\"s\"><v>{i}</v></c>";
        var header = string.Concat(Enumerable.Range(0, 10).Select(i => S(i, $"{(char)('A' + i)}1")));
        // Row 2: all text, the number typed into a Text-formatted cell (style 1 = numFmtId 49). Row 3: Excel turned the
        // forwarding number into a General number and the last name into a date (style 2 = numFmtId 14).
        var row2 = S(10, "A2") + S(11, "B2") + S(12, "C2") + S(13, "D2") + "<c r=\"E2\" s=\"1\" t=\"s\"><v>12</v></c>" + S(14, "F2") + S(15, "G2") + S(16, "J2");
        var row3 = S(17, "A3") + "<c r=\"B3\" s=\"2\"><v>45356</v></c>" + S(13, "D3") + S(14, "F3") + S(15, "G3") + "<c r=\"H3\"><v>14155550166</v></c>" + S(16, "J3");
        const string main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        const string rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        var parts = new Dictionary<string, string>
        {
            ["[Content_Types].xml"] = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>""",
            ["_rels/.rels"] = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""",
            ["xl/workbook.xml"] = $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Lists" sheetId="2" state="hidden" r:id="rId2"/><sheet name="Team" sheetId="1" r:id="rId1"/></sheets></workbook>""",
            ["xl/_rels/workbook.xml.rels"] = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>""",
            ["xl/worksheets/sheet1.xml"] = $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{main}"><sheetData><row r="1">{header}</row><row r="2">{row2}</row><row r="3">{row3}</row></sheetData></worksheet>""",
            ["xl/worksheets/sheet2.xml"] = $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{main}"><sheetData><row r="1">{S(13, "A1")}</row></sheetData></worksheet>""",
            ["xl/styles.xml"] = $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{main}"><fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="49" applyNumberFormat="1"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>""",
            ["xl/sharedStrings.xml"] = $"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{main}" count="{strings.Length}" uniqueCount="{strings.Length}">{string.Concat(strings.Select(t => $"<si><t>{t}</t></si>"))}</sst>""",
        };
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, xml) in parts)
            {
                await using var entry = archive.CreateEntry(name).Open();
                await entry.WriteAsync(Encoding.UTF8.GetBytes(xml), Cancel);
            }
        var workbook = zip.ToArray();

        var result = await ReadAsync(workbook);

        Assert.Equal(["Team"], WorkbookReader.SheetNames(workbook, new ImportOptions()));
        Assert.Empty(result.FileProblems);
        Assert.Equal([2, 3], result.Rows.Select(r => r.RowNumber));
        var (jane, joe) = (result.Rows[0], result.Rows[1]);
        Assert.Equal(("Jane", "+14155550100", "+14155550100", "on"), (jane.Values.FirstName, jane.Values.Username, jane.Values.MultiLineNumber, jane.Values.MonitorSms));
        Assert.Empty(jane.Problems);
        Assert.Equal("14155550166", joe.Values.ForwardingNumber);
        Assert.Equal(
            ["Row 3, lastname: Excel turned this value into a date (3/5/2024). Format the column as Text and type the value again.",
             "Row 3, forwarding_number: Excel stored 14155550166 as a number, not text, so a leading + or 0 may have been dropped. Format the column as Text and type the number with its country code, such as +14155550123."],
            joe.Problems.Select(p => p.Text));
        Assert.Equal("+14155550166", SpreadsheetDamage.Inspect(3, CsvColumn.ForwardingNumber, joe.Values.ForwardingNumber)?.Proposed);
    }
}
