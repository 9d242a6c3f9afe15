using MultiLine.Core.Numbers;
using System.Text.RegularExpressions;
using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor;
using MultiLine.Core.Batches;
using MultiLine.Core.Reports;
using MultiLine.Web.Accounts;
using MultiLine.Web.Organizations;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>Fixing cells in the preview's grid and accepting repairs of damaged phone numbers, then importing the edited rows.</summary>
public sealed class ImportEditorTests : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private const string Header = "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language";

    private readonly PortalFixture _portal;
    private readonly BunitContext _context;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private int? _batchId;
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public ImportEditorTests(PortalFixture portal)
    {
        _portal = portal;
        _context = PortalTestContext.Create(portal.Factory);
        // The grid's debounce runs on this clock: the test moves it instead of waiting.
        _context.Services.AddSingleton<TimeProvider>(_clock);
        _context.Render<MudPopoverProvider>();
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    private async Task<IRenderedComponent<MultipleAccountsUpload>> UploadAsync(params string[] rows)
    {
        int salesId;
        await using (var db = _portal.Factory.CreateDbContext())
            salesId = await db.Organizations.Where(o => o.Name == "Acme Sales").Select(o => o.Id).SingleAsync(Ct);
        var page = _context.Render<MultipleAccountsUpload>(p => p.Add(c => c.Committed, id => _batchId = id));
        var organization = page.FindComponent<OrganizationSelect>();
        await page.InvokeAsync(() => organization.Instance.ValueChanged.InvokeAsync(salesId));
        var upload = page.WaitForComponent<MudFileUpload<IBrowserFile>>();
        var file = new PickedFile("team.csv", Encoding.UTF8.GetBytes(string.Join("\r\n", [Header, .. rows]) + "\r\n"));
        await page.InvokeAsync(() => upload.Instance.FilesChanged.InvokeAsync(file));
        page.WaitForAssertion(() => page.Find(".ml-edit-grid"));
        return page;
    }

    private static string Row(string username, string first = "Ana", string sms = "on", string number = "", string forwarding = "") =>
        $"{first},Núñez,{username},No,{number},auto,{sms},{forwarding},,English";

    private static void Type(IRenderedComponent<MultipleAccountsUpload> page, int row, string column, string value) =>
        page.WaitForAssertion(() => page.Find($"td[data-cell='{row}-{column}'] input").Input(value));

    /// <summary>The admin pauses: the debounce fires and the edited file is checked again.</summary>
    private void Pause() => _clock.Advance(MultipleAccountsUpload.EditDelay);

    private static string RowText(IRenderedComponent<MultipleAccountsUpload> page, int row) =>
        page.FindAll(".ml-edit-grid tbody tr").Single(tr => tr.QuerySelector($"td[data-cell='{row}-FirstName']") is not null).TextContent;

    [Fact]
    public async Task EditingACellChecksTheRowAgainWithTheDatabaseChecksAndUpdatesTheCounts()
    {
        string taken;
        await using (var db = _portal.Factory.CreateDbContext())
            taken = await db.Accounts.Where(a => a.Organization!.Name == "Acme Sales" && a.Username.Contains("@")).Select(a => a.Username).FirstAsync(Ct);
        var prefix = Unique("grid");
        var page = await UploadAsync(Row($"{prefix}a@sales.acme.example"), Row($"{prefix}b@sales.acme.example", sms: "yes"));
        page.WaitForAssertion(() => Assert.Contains("1 invalid", page.Markup));
        Assert.Contains("\"yes\" is not one of on, off.", RowText(page, 3));
        // Listed once: in the grid, beside the cells to fix, not again in a table of problems above it.
        Assert.Single(Regex.Matches(page.Markup, Regex.Escape("is not one of on, off.")));
        Assert.Empty(page.FindAll(".ml-problems"));

        Type(page, 3, "MonitorSms", "on");
        Pause();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("2 valid", page.Markup);
            Assert.Contains("0 invalid", page.Markup);
            Assert.Contains("No problem: this row will be imported.", RowText(page, 3));
            Assert.Contains("1 row edited", page.Find(".ml-edit-grid").ParentElement!.TextContent);
        });

        Type(page, 3, "Username", taken);
        Pause();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("1 invalid", page.Markup);
            Assert.Contains($"\"{taken}\" already exists in organization Acme Sales.", RowText(page, 3));
        });
    }

    [Fact]
    public async Task EditingANumberChecksItAgainstTheInventoryAndTheFreeCapacityFollows()
    {
        string free, unknown;
        await using (var db = _portal.Factory.CreateDbContext())
        {
            var salesId = await db.Organizations.Where(o => o.Name == "Acme Sales").Select(o => o.Id).SingleAsync(Ct);
            free = await db.Numbers.Where(NumberRules.FreeIn(salesId)).OrderByDescending(n => n.E164).Select(n => n.E164).FirstAsync(Ct);
            unknown = Enumerable.Range(0, 100).Select(i => $"+1212555{i:0000}").First(n => !db.Numbers.Any(x => x.E164 == n));
        }
        var prefix = Unique("cap");
        var page = await UploadAsync(Row($"{prefix}a@sales.acme.example"), Row($"{prefix}b@sales.acme.example", sms: "yes"));
        page.WaitForAssertion(() => Assert.Contains("1 row without a number;", page.Markup));

        Type(page, 3, "MonitorSms", "on");
        Pause();
        page.WaitForAssertion(() => Assert.Contains("2 rows without a number;", page.Markup));

        Type(page, 3, "MultiLineNumber", unknown);
        Pause();
        page.WaitForAssertion(() =>
        {
            Assert.Contains($"\"{unknown}\" is not a MultiLine number in the inventory.", RowText(page, 3));
            Assert.Contains("1 row without a number;", page.Markup);
            Assert.Contains("1 invalid", page.Markup);
        });

        Type(page, 3, "MultiLineNumber", free);
        Pause();
        page.WaitForAssertion(() =>
        {
            Assert.Contains("No problem: this row will be imported.", RowText(page, 3));
            Assert.Contains("1 row without a number;", page.Markup);
            Assert.Contains("0 invalid", page.Markup);
        });
    }

    [Fact]
    public async Task ARemovedRowLeavesTheCountsAndCanBeRestored()
    {
        var prefix = Unique("rm");
        var page = await UploadAsync(Row($"{prefix}a@sales.acme.example"), Row("not-an-email"), Row($"{prefix}c@sales.acme.example"));
        page.WaitForAssertion(() => Assert.Contains("1 invalid", page.Markup));

        page.ClickOn(() => page.Find("button[aria-label='Remove row 3']"));
        Pause();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("2 valid", page.Markup);
            Assert.Contains("0 invalid", page.Markup);
            Assert.Contains("Row 3 · Undo", page.Find(".ml-removed-rows").TextContent);
            Assert.Empty(page.FindAll("td[data-cell='3-FirstName']"));
        });

        page.ClickOn(() => page.Find(".ml-removed-rows .mud-chip"));
        Pause();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("1 invalid", page.Markup);
            Assert.Empty(page.FindAll(".ml-removed-rows"));
        });
    }

    [Fact]
    public async Task AcceptingOneRepairEditsThatCellOnly()
    {
        var prefix = Unique("one");
        var page = await UploadAsync(Row($"{prefix}a@sales.acme.example", forwarding: "14155550911"), Row($"{prefix}b@sales.acme.example", forwarding: "14155550912"));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".ml-repairs tbody tr").Count));
        var first = page.Find(".ml-repairs tbody tr").TextContent;
        Assert.Contains("14155550911", first);
        Assert.Contains("+14155550911", first);
        Assert.Contains("The leading + (or 00) is missing", first);

        page.ClickOn(() => page.Find("button[aria-label='Accept repair of row 2, forwarding_number']"));
        Pause();

        page.WaitForAssertion(() =>
        {
            var repairs = page.FindAll(".ml-repairs tbody tr");
            Assert.Single(repairs);
            Assert.Contains("14155550912", repairs[0].TextContent);
            Assert.Equal("+14155550911", page.Find("td[data-cell='2-ForwardingNumber'] input").GetAttribute("value"));
            Assert.Equal("14155550912", page.Find("td[data-cell='3-ForwardingNumber'] input").GetAttribute("value"));
            Assert.Contains("1 invalid", page.Markup);
        });
    }

    [Fact]
    public async Task AcceptingAllRepairsFixesEveryRepairableCellAndLeavesLostDigitsToTheAdmin()
    {
        var prefix = Unique("all");
        var page = await UploadAsync(Row($"{prefix}a@sales.acme.example", forwarding: "14155550921"), Row($"{prefix}b@sales.acme.example", forwarding: "14155550922.0"),
            Row($"{prefix}c@sales.acme.example", number: "1.41555E+10"));
        page.WaitForAssertion(() => Assert.Contains("Accept all repairs (2)", page.Find(".ml-accept-all").TextContent));
        Assert.Contains("cannot be repaired; fix it by hand", page.Find(".ml-repairs").TextContent);

        page.ClickOn(() => page.Find(".ml-accept-all"));
        Pause();

        page.WaitForAssertion(() =>
        {
            Assert.Empty(page.FindAll(".ml-accept-all"));
            Assert.Equal("+14155550921", page.Find("td[data-cell='2-ForwardingNumber'] input").GetAttribute("value"));
            Assert.Equal("+14155550922", page.Find("td[data-cell='3-ForwardingNumber'] input").GetAttribute("value"));
            Assert.Equal("1.41555E+10", page.Find("td[data-cell='4-MultiLineNumber'] input").GetAttribute("value"));
            Assert.Contains("2 valid", page.Markup);
            Assert.Contains("1 invalid", page.Markup);
        });
    }

    [Fact]
    public async Task DownloadEditedCsvSavesTheEditedFileUnderAnEditedName()
    {
        var module = _context.JSInterop.SetupModule("./js/download.js");
        module.SetupVoid("downloadFile", _ => true).SetVoidResult();
        var page = await UploadAsync(Row(Unique("dl") + "@sales.acme.example", sms: "yes"));

        Type(page, 2, "FirstName", "Zoë, \"Z\"");
        page.ClickOn(() => page.Find(".ml-download-edited"));

        page.WaitForAssertion(() => module.VerifyInvoke("downloadFile"));
        var call = module.VerifyInvoke("downloadFile");
        Assert.Equal("team-edited.csv", call.Arguments[0]);
        var content = (Microsoft.JSInterop.DotNetStreamReference)call.Arguments[2]!;
        Assert.Contains("\"Zoë, \"\"Z\"\"\",Núñez", Encoding.UTF8.GetString(((MemoryStream)content.Stream).ToArray()));
    }

    [Fact]
    public async Task ImportUsesTheEditedRowsAndTheBatchRecordsTheEdits()
    {
        var prefix = Unique("imp");
        var page = await UploadAsync(Row($"{prefix}a@sales.acme.example"), Row($"{prefix}b@sales.acme.example", sms: "yes"), Row("not-an-email"));
        page.WaitForAssertion(() => Assert.Contains("2 invalid", page.Markup));

        Type(page, 3, "MonitorSms", "off");
        Type(page, 3, "FirstName", "Edited");
        page.ClickOn(() => page.Find("button[aria-label='Remove row 4']"));
        Pause();
        page.WaitForAssertion(() => Assert.Contains("0 invalid", page.Markup));
        page.ClickOn(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Import"));
        page.WaitForAssertion(() => Assert.NotNull(_batchId));

        await using var db = _portal.Factory.CreateDbContext();
        var batch = await db.Batches.SingleAsync(b => b.Id == _batchId, Ct);
        Assert.Equal(("team.csv", 2, 1, 1), (batch.FileName, batch.TotalRows, batch.BrowserEditedRows, batch.BrowserRemovedRows));
        var summary = await BatchQueries.FindAsync(db, batch.Id, Ct);
        Assert.Equal("1 row edited and 1 row removed in the browser", summary!.Edits!.Describe());
        using var report = new MemoryStream();
        await ReportCsvWriter.WriteAsync(db, batch.Id, report, Ct);
        var lines = Encoding.UTF8.GetString(report.ToArray()).Split("\r\n");
        Assert.StartsWith($"3,Edited,Núñez,{prefix}b@sales.acme.example,", lines[2]);
        Assert.Equal(3, lines.Count(l => l.Length > 0));
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();

    private sealed class PickedFile(string name, byte[] content) : IBrowserFile
    {
        public string Name => name;
        public DateTimeOffset LastModified => DateTimeOffset.UtcNow;
        public long Size => content.Length;
        public string ContentType => "text/csv";
        public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default) => new MemoryStream(content, writable: false);
    }
}
