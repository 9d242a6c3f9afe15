using System.Text;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MultiLine.Core.Accounts;
using MultiLine.Core.Imports;
using MultiLine.Core.Persistence;
using MultiLine.Web.Accounts;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>The Accounts page's export link and the update from CSV: upload, preview (before → after, counts, notes) and commit.</summary>
public sealed class AccountUpdateComponentTests(PortalFixture portal) : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly BunitContext _context = PortalTestContext.Create(portal.Factory);
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private async Task<Account> AccountAsync(string organization, int index = 0)
    {
        await using var db = portal.Factory.CreateDbContext();
        return await db.Accounts.Include(a => a.PermissionGroup).Where(a => a.Organization!.Name == organization && a.Status == AccountStatus.Active)
            .OrderBy(a => a.Id).Skip(index).FirstAsync(Ct);
    }

    [Fact]
    public async Task ThePreviewListsEachRowsChangeBeforeAndAfterAndCountsTheRows()
    {
        var account = await AccountAsync("Acme Sales");
        var language = account.Language == Language.French ? "Spanish" : "French";
        var csv = $"email address or device,permission_group,language,organization\r\n{account.Username},Standard,{language},Elsewhere\r\n"
            + "nobody@nowhere.example,,Italian,\r\n";
        AccountUpdatePreview preview;
        await using (var db = await _context.Services.GetRequiredService<ScopedDbContextFactory>().CreateAsync(Ct))
            preview = await _context.Services.GetRequiredService<AccountUpdate>().PreviewAsync(db, new ImportUpload("u.csv", Encoding.UTF8.GetBytes(csv)), Ct);

        var view = _context.Render<AccountUpdatePreviewView>(p => p.Add(v => v.Preview, preview));

        Assert.Contains("1 account will change", view.Markup);
        Assert.Contains("0 unchanged", view.Markup);
        Assert.Contains("1 refused", view.Markup);
        Assert.Contains("Column organization is read-only: an update leaves them as they are and ignores their values.", view.Markup);
        var rows = view.FindAll(".ml-update-rows tbody tr");
        Assert.Equal(account.Username, rows[0].QuerySelectorAll("td")[1].TextContent.Trim());
        Assert.Contains($"language: {account.Language} → {language}", rows[0].TextContent);
        Assert.Contains(account.PermissionGroup!.Name == "Standard" ? "language" : $"User Permissions: {account.PermissionGroup.Name} → Standard", rows[0].TextContent);
        Assert.Contains("Refused: email address or device: \"nobody@nowhere.example\": No account with this username exists in your scope.", rows[1].TextContent);
    }

    /// <summary>
    /// The update dialog, opened, with <paramref name="file"/> handed to its upload as MudFileUpload hands it on, awaited
    /// rather than blocked on (bUnit's UploadFiles waits for the handler on the renderer's thread, which a database that
    /// really awaits I/O never lets finish).
    /// </summary>
    private async Task<(IRenderedComponent<MudDialogProvider> Provider, IDialogReference Reference, string? Accepted)> UploadAsync(PickedFile file)
    {
        _context.Render<MudPopoverProvider>();
        var provider = _context.Render<MudDialogProvider>();
        var dialogs = _context.Services.GetRequiredService<IDialogService>();
        IDialogReference? reference = null;
        await provider.InvokeAsync(async () => reference = await dialogs.ShowAsync<UpdateAccountsDialog>("Update accounts from CSV"));
        var upload = provider.WaitForComponent<MudFileUpload<IBrowserFile>>();
        var accepted = upload.Instance.Accept;
        await provider.InvokeAsync(() => upload.Instance.FilesChanged.InvokeAsync(file));
        return (provider, reference!, accepted);
    }

    [Fact]
    public async Task UploadingAFileShowsThePreviewAndUpdateQueuesTheBatch()
    {
        var account = await AccountAsync("Acme Sales", index: 1);
        var calls = account.MonitorCalls == MonitorCalls.Auto ? "off" : "auto";
        var (provider, reference, _) = await UploadAsync(new PickedFile("accounts-acme-sales.csv",
            Encoding.UTF8.GetBytes($"email address or device,monitor_calls\r\n{account.Username},{calls}\r\n")));
        provider.WaitForAssertion(() => Assert.Contains($"monitor calls: {AccountCsvText.Text(account.MonitorCalls)} → {calls}", provider.Find(".ml-update-rows").TextContent));
        provider.ClickOn(() => provider.FindAll("button").Single(b => b.TextContent.Trim() == "Update 1 account"));

        var result = await reference.Result.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var batchId = Assert.IsType<int>(result!.Data);
        await using var db = portal.Factory.CreateDbContext();
        var batch = await db.Batches.SingleAsync(b => b.Id == batchId, Ct);
        Assert.Equal((Core.Batches.BatchKind.Update, "accounts-acme-sales.csv", 1), (batch.Kind, batch.FileName, batch.TotalRows));
    }

    [Fact]
    public async Task TheUpdateTakesAnExcelWorkbookAsTheImportDoes()
    {
        var account = await AccountAsync("Acme Sales", index: 2);
        var sms = account.MonitorSms == MonitorSms.On ? "off" : "on";
        var workbook = MultiLine.Tests.TestWorkbook.Create()
            .Sheet("Accounts", [["email address or device", "monitor_sms"], [account.Username, sms]])
            .ToBytes();
        var (provider, _, accepted) = await UploadAsync(new PickedFile("accounts.xlsx", workbook));

        Assert.Contains(".xlsx", accepted);

        provider.WaitForAssertion(() => Assert.Contains($"monitor SMS: {AccountCsvText.Text(account.MonitorSms)} → {sms}", provider.Find(".ml-update-rows").TextContent));
    }

    [Fact]
    public void TheDownloadLinkCarriesThePagesFilterAndSortButNotItsPage()
    {
        _context.Render<MudPopoverProvider>();
        _context.Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("/accounts?q=ross&status=Invited&org=3&sub=1&sort=Name&desc=1&page=2");

        var page = _context.Render<AccountsPage>();

        page.WaitForAssertion(() =>
        {
            var href = page.FindAll("a").Single(a => a.TextContent.Contains("Download CSV")).GetAttribute("href")!;
            Assert.Contains("accounts/export.csv?", href);
            Assert.Contains("q=ross", href);
            Assert.Contains("status=Invited", href);
            Assert.Contains("org=3", href);
            Assert.Contains("sub=1", href);
            Assert.Contains("sort=Name", href);
            Assert.Contains("desc=1", href);
            Assert.DoesNotContain("page=", href);
        });
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
