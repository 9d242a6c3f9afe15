using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Web.Accounts;
using MultiLine.Web.Organizations;
using MultiLine.Web.Tests.Integration;
using W = MultiLine.Tests.TestWorkbook;

namespace MultiLine.Web.Tests.Components;

/// <summary>The upload step of Add Account with Excel workbooks: .xlsx accepted, the sheet picker, the template links and the template with numbers.</summary>
public sealed class XlsxUploadComponentTests(PortalFixture portal) : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly BunitContext _context = PortalTestContext.Create(portal.Factory);
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private async Task<int> OrganizationAsync(string name)
    {
        await using var db = portal.Factory.CreateDbContext();
        return await db.Organizations.Where(o => o.Name == name).Select(o => o.Id).SingleAsync(Ct);
    }

    private int? _batchId;

    private async Task<IRenderedComponent<MultipleAccountsUpload>> UploadPageForAsync(string organization)
    {
        _context.Render<MudPopoverProvider>();
        var page = _context.Render<MultipleAccountsUpload>(p => p.Add(c => c.Committed, id => _batchId = id));
        var id = await OrganizationAsync(organization);
        var select = page.WaitForComponent<OrganizationSelect>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(id));
        page.WaitForAssertion(() => Assert.False(page.FindComponent<MudFileUpload<IBrowserFile>>().Instance.Disabled));
        return page;
    }

    private static async Task PickAsync(IRenderedComponent<MultipleAccountsUpload> page, string name, byte[] content)
    {
        var upload = page.FindComponent<MudFileUpload<IBrowserFile>>();
        await page.InvokeAsync(() => upload.Instance.FilesChanged.InvokeAsync(new PickedFile(name, content)));
    }

    [Fact]
    public async Task TheUploadTakesCsvAndXlsxFilesAndOffersBothTemplates()
    {
        var page = await UploadPageForAsync("Acme Sales");
        var id = await OrganizationAsync("Acme Sales");

        Assert.Contains(".xlsx", page.Find("input[type=file]").GetAttribute("accept"));
        Assert.Contains("Drop your CSV or Excel file here", page.Markup);
        var links = page.FindAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains($"templates/multiline-accounts.csv?organization={id}", links);
        Assert.Contains($"templates/multiline-accounts.xlsx?organization={id}", links);

        await PickAsync(page, "accounts.ods", [1, 2, 3]);
        page.WaitForAssertion(() => Assert.Contains("\"accounts.ods\" is not a .csv or .xlsx file.", page.Find(".mud-alert").TextContent));
    }

    [Fact]
    public async Task AWorkbookWithSeveralSheetsShowsASheetPickerAndThePickedSheetIsChecked()
    {
        var page = await UploadPageForAsync("Acme Sales");
        var workbook = W.Create()
            .Sheet("Cover", [["Accounts for Acme Sales"]])
            .Sheet("People", [W.Header, W.Row($"sheet.{Guid.NewGuid():N}@example.com"), W.Row("+14155550100")])
            .ToBytes();

        await PickAsync(page, "people.xlsx", workbook);

        page.WaitForAssertion(() => Assert.Contains("The file has no email address or device", page.Markup));
        var picker = page.FindComponents<MudSelect<string>>().Single();
        Assert.Contains("Cover", picker.Markup);
        Assert.Contains("The workbook has 2 sheets; choose the one with the accounts.", page.Markup);

        await page.InvokeAsync(() => picker.Instance.ValueChanged.InvokeAsync("People"));

        page.WaitForAssertion(() =>
        {
            Assert.DoesNotContain("The file has no email address or device", page.Markup);
            Assert.Contains("people.xlsx", page.Markup);
            Assert.DoesNotContain("0 valid", page.Find(".ml-count-row").TextContent);
        });
    }

    [Fact]
    public async Task PickingAnotherSheetAfterAnEditChecksAndImportsThatSheetNotTheEditedOne()
    {
        var page = await UploadPageForAsync("Acme Sales");
        var prefix = $"sh{Guid.NewGuid():N}"[..12];
        var workbook = W.Create()
            .Sheet("Team A", [W.Header, W.Row($"{prefix}.a1@example.com"), W.Row($"{prefix}.a2@example.com", sms: "yes")])
            .Sheet("Team B", [W.Header, W.Row($"{prefix}.b1@example.com"), W.Row($"{prefix}.b2@example.com"), W.Row($"{prefix}.b3@example.com")])
            .ToBytes();
        await PickAsync(page, "teams.xlsx", workbook);
        page.WaitForAssertion(() => Assert.Contains("1 invalid", page.Markup));

        // The admin fixes Team A's bad cell in the grid, then sees that the accounts are on the other sheet.
        page.WaitForAssertion(() => page.Find("td[data-cell='3-MonitorSms'] input").Input("on"));
        page.WaitForAssertion(() => Assert.Contains("0 invalid", page.Markup), TimeSpan.FromSeconds(10));
        var picker = page.FindComponents<MudSelect<string>>().Single();
        await page.InvokeAsync(() => picker.Instance.ValueChanged.InvokeAsync("Team B"));

        page.WaitForAssertion(() =>
        {
            Assert.Contains("3 valid", page.Find(".ml-count-row").TextContent);
            Assert.DoesNotContain("row edited", page.Markup);
        }, TimeSpan.FromSeconds(10));
        page.ClickOn(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Import"));
        page.WaitForAssertion(() => Assert.NotNull(_batchId), TimeSpan.FromSeconds(10));

        await using var db = portal.Factory.CreateDbContext();
        var batch = await db.Batches.SingleAsync(b => b.Id == _batchId, Ct);
        Assert.Equal(("teams.xlsx", 3, 0), (batch.FileName, batch.TotalRows, batch.BrowserEditedRows));
        var usernames = await db.BatchRows.Where(r => r.BatchOperationId == batch.Id).Select(r => r.Username).ToListAsync(Ct);
        Assert.Equal([$"{prefix}.b1@example.com", $"{prefix}.b2@example.com", $"{prefix}.b3@example.com"], usernames.Order());
    }

    [Fact]
    public async Task TemplateWithNumbersOffersUpToTheAvailableNumbersAndLinksBothFormats()
    {
        var id = await OrganizationAsync("Acme Sales");
        int available;
        await using (var db = portal.Factory.CreateDbContext())
            available = await db.Numbers.CountAsync(NumberRules.FreeIn(id), Ct);

        var control = _context.Render<TemplateWithNumbers>(p => p.Add(c => c.OrganizationId, id));

        var expected = Math.Min(Math.Min(available, 1000), 25);
        control.WaitForAssertion(() => Assert.Equal(
            [$"templates/multiline-accounts.csv?organization={id}&numbers={expected}", $"templates/multiline-accounts.xlsx?organization={id}&numbers={expected}"],
            control.FindAll("a.mud-button-root").Select(a => a.GetAttribute("href"))));
        Assert.Contains($"up to {Math.Min(available, 1000):N0}", control.Markup);
        Assert.True(available > 0);
    }

    [Fact]
    public async Task TemplateWithNumbersIsDisabledWithAReasonWhenTheOrganizationHasNoAvailableNumber()
    {
        int id;
        await using (var db = portal.Factory.CreateDbContext())
        {
            var parent = await db.Organizations.SingleAsync(o => o.Name == "Acme Sales", Ct);
            var empty = new Organization { Name = $"No numbers {Guid.NewGuid():N}"[..20], ParentId = parent.Id };
            db.Organizations.Add(empty);
            await db.SaveChangesAsync(Ct);
            empty.Path = Organization.PathFor(parent, empty.Id);
            await db.SaveChangesAsync(Ct);
            id = empty.Id;
        }
        var popovers = _context.Render<MudPopoverProvider>();

        var control = _context.Render<TemplateWithNumbers>(p => p.Add(c => c.OrganizationId, id));

        control.WaitForAssertion(() =>
        {
            var downloads = control.FindAll("button").Where(b => b.TextContent.Contains("with numbers")).ToList();
            Assert.Equal(2, downloads.Count);
            Assert.All(downloads, b => Assert.True(b.HasAttribute("disabled")));
        });
        control.Find(".mud-tooltip-root").PointerEnter();
        popovers.WaitForAssertion(() => Assert.Contains("The organization has no Available number. Add numbers to it first.", popovers.Markup));
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();

    private sealed class PickedFile(string name, byte[] content) : IBrowserFile
    {
        public string Name => name;
        public DateTimeOffset LastModified => DateTimeOffset.UtcNow;
        public long Size => content.Length;
        public string ContentType => "application/octet-stream";
        public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default) => new MemoryStream(content, writable: false);
    }
}
