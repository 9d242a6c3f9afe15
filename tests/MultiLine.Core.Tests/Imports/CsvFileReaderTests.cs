using System.Security.Cryptography;
using System.Text;
using MultiLine.Core.Imports;
using MultiLine.Core.Organizations;
using static MultiLine.Core.Tests.Imports.CsvFiles;

namespace MultiLine.Core.Tests.Imports;

public sealed class CsvFileReaderTests
{
    private static readonly string Accents = Lines(
        "firstname,lastname,email,social_messaging,monitor_calls,monitor_sms",
        "François,Müller,francois@example.com,No,auto,on",
        "José,Núñez,jose@example.com,No,off,off");

    public static TheoryData<string, string> Encodings => new()
    {
        { "utf-8 with BOM", "utf-8" },
        { "utf-8 without BOM", "utf-8" },
        { "utf-16 LE with BOM", "utf-16" },
        { "utf-16 BE with BOM", "utf-16BE" },
        { "windows-1252", "windows-1252" },
    };

    private static readonly AccountRulesContext Rules = new(
        new Organization { Id = 1, Name = "Acme", Path = "/1/" }, new PermissionGroup { Id = 1, Name = "Messaging only", Features = Features.Sms });

    /// <summary>The per-cell rules on a row as read, as the upload's validation runs them.</summary>
    private static AccountCheck Check(CsvRow row) => new AccountInputValidator().Check(row.Values, Rules);

    private static byte[] Encode(string text, string kind) => kind switch
    {
        "utf-8 with BOM" => Bytes(text, new UTF8Encoding(true), bom: true),
        "utf-8 without BOM" => Bytes(text, new UTF8Encoding(false), bom: false),
        "utf-16 LE with BOM" => Bytes(text, Encoding.Unicode, bom: true),
        "utf-16 BE with BOM" => Bytes(text, Encoding.BigEndianUnicode, bom: true),
        "windows-1252" => Bytes(text, Windows1252, bom: false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task AccentedNamesSurviveEveryEncodingSpreadsheetsWrite(string kind, string expectedEncoding)
    {
        var result = await ReadAsync(Encode(Accents, kind));

        Assert.Empty(result.FileProblems);
        Assert.Equal(expectedEncoding, result.EncodingName);
        Assert.Equal(["François Müller", "José Núñez"], result.Rows.Select(r => $"{r.Values.FirstName} {r.Values.LastName}"));
        Assert.Equal([2, 3], result.Rows.Select(r => r.RowNumber));
    }

    [Fact]
    public async Task Utf8FileWithOneInvalidByteKeepsEveryOtherAccentAndFlagsOnlyThatRow()
    {
        byte[] bytes =
        [
            .. Utf8(Accents),
            .. Utf8("Anne,Ren"), 0xE9, .. Utf8(",anne@example.com,No,auto,on\r\n"), // é as Windows-1252 wrote it
            .. Utf8(Lines("Jürgen,Größe,juergen@example.com,No,auto,off")),
        ];

        var result = await ReadAsync(bytes);

        Assert.Empty(result.FileProblems);
        Assert.Equal("utf-8", result.EncodingName);
        Assert.Equal(["François Müller", "José Núñez", "Anne Ren\uFFFD", "Jürgen Größe"],
            result.Rows.Select(r => $"{r.Values.FirstName} {r.Values.LastName}"));
        var errors = result.Rows.SelectMany(r => Check(r).Problems.Select(p => (p with { Row = r.RowNumber }).Text));
        Assert.Equal(["Row 4, lastname: \"Ren\uFFFD\" holds bytes that are not valid UTF-8 (shown as \uFFFD); save the file as CSV UTF-8 and upload it again."],
            errors);
    }

    [Fact]
    public async Task Windows1252FileWithoutAnyUtf8SequenceIsStillReadAsWindows1252()
    {
        var text = Lines(
            "firstname,lastname,email,social_messaging,monitor_calls,monitor_sms",
            "Søren,Großmann-Œhlé,soren@example.com,No,auto,on",
            "Zoë,D’Artagnan,zoe@example.com,No,off,off",
            "Ærø,Ça Façon,aero@example.com,No,auto,on");

        var result = await ReadAsync(Bytes(text, Windows1252, bom: false));

        Assert.Equal("windows-1252", result.EncodingName);
        Assert.Equal(["Søren Großmann-Œhlé", "Zoë D’Artagnan", "Ærø Ça Façon"], result.Rows.Select(r => $"{r.Values.FirstName} {r.Values.LastName}"));
        Assert.All(result.Rows, r => Assert.Empty(Check(r).Problems));
    }

    [Fact]
    public async Task Utf16WithoutBomIsRecognizedByItsNulBytes()
    {
        var result = await ReadAsync(Bytes(Accents, Encoding.Unicode, bom: false));

        Assert.Empty(result.FileProblems);
        Assert.Equal("Müller", result.Rows[0].Values.LastName);
    }

    [Theory]
    [InlineData(",", ',')]
    [InlineData(";", ';')]
    [InlineData("\t", '\t')]
    public async Task SeparatorIsDetectedFromTheHeaderLine(string separator, char expected)
    {
        var text = Lines(
            string.Join(separator, "firstname", "lastname", "email address or device", "social_messaging", "monitor_calls", "monitor_sms"),
            string.Join(separator, "Ann", "Lee", "ann@example.com", "No", "auto", "on"));

        var result = await ReadAsync(text);

        Assert.Equal(expected, result.Separator);
        Assert.Empty(result.FileProblems);
        var values = result.Rows.Single().Values;
        Assert.Equal(("Ann", "Lee", "ann@example.com", "No", "auto", "on"),
            (values.FirstName, values.LastName, values.Username, values.SocialMessaging, values.MonitorCalls, values.MonitorSms));
    }

    [Fact]
    public async Task SemicolonFileWithCommasInsideQuotedHeaderCellsIsStillSemicolon()
    {
        var text = Lines("\"first,name\";lastname;email;social_messaging;monitor_calls;monitor_sms", "Ann;Lee;ann@example.com;No;auto;on");

        var result = await ReadAsync(text);

        Assert.Equal(';', result.Separator);
        Assert.Equal("ann@example.com", result.Rows.Single().Values.Username);
    }

    [Fact]
    public async Task QuotedFieldsKeepSeparatorsDoubledQuotesAndLineBreaks()
    {
        var text = Lines(
            Header,
            "\"Mary \"\"May\"\"\",\"Doe, Jr.\",mary@example.com,No,,auto,on,,,English",
            "\"Two\r\nLines\",Smith,two@example.com,No,,auto,on,,,English",
            Row("after@example.com"));

        var result = await ReadAsync(text);

        Assert.Empty(result.FileProblems);
        Assert.Equal(["Mary \"May\"|Doe, Jr.", "Two\r\nLines|Smith", "Jane|Doe"],
            result.Rows.Select(r => $"{r.Values.FirstName}|{r.Values.LastName}"));
        Assert.Equal([2, 3, 5], result.Rows.Select(r => r.RowNumber));
    }

    [Fact]
    public async Task BlankLinesAndSeparatorOnlyRowsAreSkippedButStillCountAsRows()
    {
        var text = Lines(Header, "", Row("a@example.com"), ",,,,,,,,,", "   ", Row("b@example.com"), " , ,", "", Row("c@example.com"));

        var result = await ReadAsync(text);

        Assert.Empty(result.FileProblems);
        Assert.Equal([3, 6, 9], result.Rows.Select(r => r.RowNumber));
    }

    [Fact]
    public async Task TrailingEmptyColumnsAreIgnoredSilently()
    {
        var text = Lines(Header + ",,,", Row("a@example.com") + ",,,,,", Row("b@example.com"));

        var result = await ReadAsync(text);

        Assert.Empty(result.FileProblems);
        Assert.All(result.Rows, r => Assert.Empty(r.Problems));
        Assert.Equal(["a@example.com", "b@example.com"], result.Rows.Select(r => r.Values.Username));
    }

    [Fact]
    public async Task CellsAreTrimmed()
    {
        var text = Lines(Header, "  Jane , Doe ,  jane@example.com  , No ,, auto , on ,,, English ");

        var values = (await ReadAsync(text)).Rows.Single().Values;

        Assert.Equal(("Jane", "Doe", "jane@example.com", "No", "auto", "English"),
            (values.FirstName, values.LastName, values.Username, values.SocialMessaging, values.MonitorCalls, values.Language));
    }

    [Fact]
    public async Task InvisibleCharactersAroundValuesAreTrimmedLikeSpacesAndTheRowImportsClean()
    {
        var text = Lines(Header,
            Row("\u200Bjane@example.com\u00A0", first: "\u00A0Jane\u200B", last: "\uFEFFDoe\u202F", social: "No\u2060", sms: "\u200Don\u200C"),
            Row("\u2007+44 20 7946 0958\u3000", first: "Ann\u200B\u00A0", last: "\u205FLee", number: "\u00A0+1 415 555 0100\uFEFF"));

        var result = await ReadAsync(text);

        Assert.Empty(result.FileProblems);
        Assert.Equal(["Jane|Doe|jane@example.com|No|on", "Ann|Lee|+44 20 7946 0958|No|on"],
            result.Rows.Select(r => $"{r.Values.FirstName}|{r.Values.LastName}|{r.Values.Username}|{r.Values.SocialMessaging}|{r.Values.MonitorSms}"));
        Assert.Equal("+1 415 555 0100", result.Rows[1].Values.MultiLineNumber);
        Assert.All(result.Rows, r => Assert.Empty(r.Problems));
        Assert.All(result.Rows, r => Assert.Empty(Check(r).Problems));
    }

    [Fact]
    public async Task HeaderNamesWithInvisibleCharactersMatchTheirColumns()
    {
        var text = "\uFEFFemail\u00A0,\u200Bsocial_messaging,monitor_calls\u2060,\u202Fmonitor_sms\uFEFF,\u200B\u00A0\r\n"
            + "ann@example.com,No,auto,on,\u200B\r\n";

        var result = await ReadAsync(Bytes(text, new UTF8Encoding(true), bom: true));

        Assert.Empty(result.FileProblems);
        Assert.Equal([CsvColumn.Username, CsvColumn.SocialMessaging, CsvColumn.MonitorCalls, CsvColumn.MonitorSms], result.Columns);
        Assert.Equal("ann@example.com", result.Rows.Single().Values.Username);
        Assert.Empty(result.Rows.Single().Problems);
    }

    [Fact]
    public async Task ARowOfInvisibleCharactersOnlyIsABlankLine()
    {
        var result = await ReadAsync(Lines(Header, "\u00A0,\u200B,\uFEFF,,,,,,,\u202F", Row("a@example.com")));

        Assert.Empty(result.FileProblems);
        Assert.Equal([3], result.Rows.Select(r => r.RowNumber));
    }

    [Fact]
    public async Task NulCharacterInACellIsAnErrorOnItsRowAndColumnNotABinaryFile()
    {
        var text = Lines([Header, .. Enumerable.Range(1, 5).Select(i => Row($"user{i}@example.com")), Row("nul@example.com", first: "Joh\0n")]);

        var result = await ReadAsync(text);

        Assert.Empty(result.FileProblems);
        Assert.Equal("Joh\0n", result.Rows[^1].Values.FirstName);
        var errors = result.Rows.SelectMany(r => Check(r).Problems.Select(p => (p with { Row = r.RowNumber }).Text));
        Assert.Equal(["Row 7, firstname: contains an invisible control character (U+0000) at position 4; retype the value."], errors);
    }

    [Fact]
    public async Task OddHeaderSpellingsAndAliasesMapToTheDocumentedColumns()
    {
        var text = Lines(
            "First Name;LAST-NAME;E-Mail;Social Messaging;Primary Number;MONITOR_CALLS;monitor sms;Forwarding-Number;Restrict Incoming Social_Messaging;Language",
            "Ann;Lee;ann@example.com;No;+14155550100;auto;on;+1 415 555 0199;false;Italian");

        var result = await ReadAsync(text);

        Assert.Empty(result.FileProblems);
        Assert.Equal(CsvColumns.All, result.Columns);
        var values = result.Rows.Single().Values;
        Assert.Equal("+14155550100", values.MultiLineNumber);
        Assert.Equal("+1 415 555 0199", values.ForwardingNumber);
        Assert.Equal("Italian", values.Language);
    }

    [Theory]
    [InlineData("email", CsvColumn.Username)]
    [InlineData("Email Address", CsvColumn.Username)]
    [InlineData("email address or device", CsvColumn.Username)]
    [InlineData("username", CsvColumn.Username)]
    [InlineData("Device", CsvColumn.Username)]
    [InlineData("primary_number", CsvColumn.MultiLineNumber)]
    [InlineData("primary number", CsvColumn.MultiLineNumber)]
    [InlineData("number", CsvColumn.MultiLineNumber)]
    [InlineData("MultiLine_Number", CsvColumn.MultiLineNumber)]
    [InlineData("first name", CsvColumn.FirstName)]
    [InlineData("last name", CsvColumn.LastName)]
    [InlineData("restrict_incoming_social_messaging", CsvColumn.RestrictIncomingSocialMessaging)]
    public void HeaderAliasesMatch(string header, CsvColumn expected)
    {
        Assert.True(CsvColumns.TryMatch(header, out var column));
        Assert.Equal(expected, column);
    }

    [Fact]
    public async Task MissingRequiredColumnsStopTheFileWithOneMessageNamingThemAll()
    {
        var result = await ReadAsync(Lines("firstname,lastname,email", "Ann,Lee,ann@example.com"));

        var problem = Assert.Single(result.FileProblems);
        Assert.Equal(ProblemSeverity.Error, problem.Severity);
        Assert.Equal("The file has no social_messaging, monitor_calls and monitor_sms columns. The first row must hold the column names, as in the template.", problem.Text);
        Assert.Empty(result.Rows);
    }

    [Fact]
    public async Task OneMissingRequiredColumnIsNamedInTheSingular()
    {
        var result = await ReadAsync(Lines("email,social_messaging,monitor_calls", "ann@example.com,No,auto"));

        Assert.Equal(["The file has no monitor_sms column. The first row must hold the column names, as in the template."],
            result.FileProblems.Select(p => p.Text));
    }

    [Fact]
    public async Task UnknownColumnIsAWarningAndItsValuesAreIgnored()
    {
        var result = await ReadAsync(Lines(Header + ",Department", Row("a@example.com") + ",Sales"));

        var warning = Assert.Single(result.FileProblems);
        Assert.Equal(ProblemSeverity.Warning, warning.Severity);
        Assert.Equal("Column \"Department\" (K) is not a known column; its values are ignored.", warning.Text);
        Assert.Single(result.Rows);
    }

    [Fact]
    public async Task AHugeUnknownHeaderIsCutInItsWarning()
    {
        var result = await ReadAsync(Lines(Header + "," + new string('z', 10_000), Row("a@example.com")));

        var warning = Assert.Single(result.FileProblems);
        Assert.Equal($"Column \"{new string('z', 60)}…\" (10,000 characters) (K) is not a known column; its values are ignored.", warning.Text);
    }

    [Fact]
    public async Task DuplicateHeaderColumnIsAFileError()
    {
        var result = await ReadAsync(Lines("email,social_messaging,monitor_calls,monitor_sms,username", "a@example.com,No,auto,on,b@example.com"));

        Assert.Equal(["Columns A (\"email\") and E (\"username\") are both email address or device; keep only one of them."],
            result.FileProblems.Select(p => p.Text));
        Assert.Empty(result.Rows);
    }

    [Theory]
    [InlineData("Note: delete this row before uploading. Optional.")]
    [InlineData("NOTE")]
    [InlineData("note - remove me")]
    public async Task TemplateNoteRowIsSkippedWithAWarning(string firstCell)
    {
        var result = await ReadAsync(Lines(Header, $"\"{firstCell}\",x,y,z,,,,,,", Row("a@example.com")));

        Assert.Equal(["Row 2 is the template's Note row of instructions; it was skipped. Delete it before uploading."],
            result.FileProblems.Select(p => p.Text));
        Assert.Equal(ProblemSeverity.Warning, result.FileProblems[0].Severity);
        Assert.Equal([3], result.Rows.Select(r => r.RowNumber));
    }

    [Fact]
    public async Task AFirstNameThatMerelyStartsWithNoteIsNotTheNoteRow()
    {
        var result = await ReadAsync(Lines(Header, Row("a@example.com", first: "Notburga")));

        Assert.Empty(result.FileProblems);
        Assert.Equal("Notburga", result.Rows.Single().Values.FirstName);
    }

    [Fact]
    public async Task FileWithMoreRowsThanTheLimitIsRefusedAsAWholeWithTheCount()
    {
        var text = Lines([Header, .. Enumerable.Range(1, 1001).Select(i => Row($"user{i}@example.com"))]);

        var result = await ReadAsync(text);

        Assert.Equal(["The file has 1,001 accounts; at most 1,000 can be imported at once. Split it into smaller files."],
            result.FileProblems.Select(p => p.Text));
        Assert.Empty(result.Rows);
    }

    [Fact]
    public async Task FileWithExactlyTheLimitIsRead()
    {
        var text = Lines([Header, .. Enumerable.Range(1, 1000).Select(i => Row($"user{i}@example.com"))]);

        var result = await ReadAsync(text);

        Assert.Empty(result.FileProblems);
        Assert.Equal(1000, result.Rows.Count);
        Assert.Equal(1001, result.Rows[^1].RowNumber);
    }

    [Fact]
    public async Task TheNoteRowDoesNotCountTowardsTheLimit()
    {
        var text = Lines([Header, "Note: delete this row", .. Enumerable.Range(1, 3).Select(i => Row($"user{i}@example.com"))]);

        var result = await ReadAsync(text, Reader(maxRows: 3));

        Assert.Equal(3, result.Rows.Count);
        Assert.False(result.HasFileErrors);
    }

    [Fact]
    public async Task FileLargerThanTheLimitIsRefused()
    {
        var bytes = Utf8(Lines([Header, .. Enumerable.Range(1, 100).Select(i => Row($"user{i}@example.com"))]));

        var seekable = await ReadAsync(bytes, Reader(maxFileBytes: 2048));
        var streamed = await Reader(maxFileBytes: 2048).ReadAsync(new NetworkStream(bytes), TestContext.Current.CancellationToken);

        const string expected = "The file is larger than 2 KB, the most one upload can hold. Split it into smaller files.";
        Assert.Equal([expected], seekable.FileProblems.Select(p => p.Text));
        Assert.Equal([expected], streamed.FileProblems.Select(p => p.Text));
    }

    [Fact]
    public async Task AnUploadInMemoryReadsInPlaceAsAStreamedOneReads()
    {
        // With a BOM, so the in-place read must start after it; the same bytes come in four ways.
        byte[] bytes = [.. Encoding.UTF8.GetPreamble(), .. Utf8(Lines(Header, Row("zoë@example.com", first: "Zoë"), Row("+14155550100")))];
        var ct = TestContext.Current.CancellationToken;
        byte[] padded = [.. "garbage"u8, .. bytes, .. "tail"u8];
        var atOffset = new MemoryStream(padded, 7, bytes.Length, writable: false, publiclyVisible: true);

        var results = new[]
        {
            await Reader().ReadAsync(new ImportUpload("a.csv", bytes).OpenRead(), ct),
            await Reader().ReadAsync(new MemoryStream(bytes, writable: false), ct),
            await Reader().ReadAsync(new NetworkStream(bytes), ct),
            await Reader().ReadAsync(atOffset, ct),
        };

        foreach (var result in results)
        {
            Assert.Empty(result.FileProblems);
            Assert.Equal(results[0].Sha256, result.Sha256);
            Assert.Equal(["Zoë", "Jane"], result.Rows.Select(r => r.Values.FirstName));
            Assert.Equal(["zoë@example.com", "+14155550100"], result.Rows.Select(r => r.Values.Username));
        }
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), results[0].Sha256);
    }

    [Fact]
    public async Task AnUploadInMemoryOverTheLimitIsRefused()
    {
        var bytes = Utf8(Lines([Header, .. Enumerable.Range(1, 100).Select(i => Row($"user{i}@example.com"))]));

        var result = await Reader(maxFileBytes: 2048).ReadAsync(new ImportUpload("a.csv", bytes).OpenRead(), TestContext.Current.CancellationToken);

        Assert.Equal(["The file is larger than 2 KB, the most one upload can hold. Split it into smaller files."], result.FileProblems.Select(p => p.Text));
    }

    [Fact]
    public async Task DefaultFileLimitIsFiveMegabytes()
    {
        var bytes = new byte[5 * 1024 * 1024 + 1];
        Array.Fill(bytes, (byte)'a');

        var result = await ReadAsync(bytes);

        Assert.Equal(["The file is larger than 5 MB, the most one upload can hold. Split it into smaller files."],
            result.FileProblems.Select(p => p.Text));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[] { (byte)'\r', (byte)'\n', (byte)' ', (byte)'\n' })]
    [InlineData(new byte[] { (byte)',', (byte)',', (byte)'\n' })]
    public async Task EmptyFileIsRefusedWithAClearMessage(byte[] bytes)
    {
        var result = await ReadAsync(bytes);

        Assert.Equal(["The file is empty. Download the template, add one row per account and upload it again."],
            result.FileProblems.Select(p => p.Text));
    }

    [Fact]
    public async Task DamagedExcelWorkbookRenamedToCsvIsReadAsAWorkbookAndRefusedWithAClearMessage()
    {
        byte[] bytes = [.. "PK\x03\x04"u8, 0x14, 0x00, 0x06, 0x00, .. "[Content_Types].xml"u8];

        var result = await ReadAsync(bytes);

        Assert.Equal([WorkbookReader.NotAWorkbookMessage], result.FileProblems.Select(p => p.Text));
    }

    [Fact]
    public async Task BinaryFileIsRefusedWithAClearMessage()
    {
        var bytes = Enumerable.Range(0, 2000).Select(i => (byte)(i * 7 % 256)).ToArray();

        var result = await ReadAsync(bytes);

        Assert.Equal(["The file is not a CSV text file (it holds binary data). Save it from your spreadsheet as \"CSV UTF-8\" and upload it again."],
            result.FileProblems.Select(p => p.Text));
    }

    [Fact]
    public async Task HeaderOnlyFileIsRefusedWithAClearMessage()
    {
        var result = await ReadAsync(Lines(Header, "", ",,,"));

        Assert.Equal(["The file has a header row but no accounts. Add one row per account under the header row."],
            result.FileProblems.Select(p => p.Text));
    }

    [Fact]
    public async Task UnclosedQuoteIsAnErrorOnItsRow()
    {
        var result = await ReadAsync(Lines(Header, Row("a@example.com"), "\"Ann,Lee,ann@example.com,No,,auto,on,,,English"));

        var row = result.Rows[1];
        Assert.Equal(3, row.RowNumber);
        Assert.Equal(["Row 3: a quoted value is not closed, or has text after its closing quote; check the quotes in this row."],
            row.Problems.Select(p => p.Text));
    }

    [Fact]
    public async Task ValuesToTheRightOfTheLastNamedColumnAreAWarning()
    {
        var result = await ReadAsync(Lines("email,social_messaging,monitor_calls,monitor_sms", "a@example.com,No,auto,on,,extra"));

        var problem = Assert.Single(result.Rows.Single().Problems);
        Assert.Equal("Row 2: has values in columns without a name (F); they are ignored.", problem.Text);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
    }

    [Fact]
    public async Task ExcelSeparatorHintLineSetsTheSeparatorAndIsNotARow()
    {
        var result = await ReadAsync(Lines("sep=;", "email;social_messaging;monitor_calls;monitor_sms", "a@example.com;No;auto;on"));

        Assert.Equal(';', result.Separator);
        Assert.Empty(result.FileProblems);
        Assert.Equal(2, result.Rows.Single().RowNumber);
    }

    [Fact]
    public async Task HashIsTheSha256OfTheUploadedBytes()
    {
        var bytes = Utf8(Lines(Header, Row("a@example.com")));

        var result = await Reader().ReadAsync(new NetworkStream(bytes), TestContext.Current.CancellationToken);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), result.Sha256);
        Assert.Equal(64, result.Sha256!.Length);
    }
}
