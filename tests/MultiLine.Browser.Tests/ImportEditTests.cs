using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>Fixing a bad cell in the preview's grid and accepting a repair of a number a spreadsheet damaged, then importing.</summary>
public sealed class ImportEditTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Header = "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language";

    [Fact]
    public async Task EditACellAndImport()
    {
        var csv = string.Join("\r\n",
            Header,
            "Ana,Núñez,edit-ana@sales.acme.example,No,,auto,on,,,Spanish",
            "Bea,Ruiz,edit-bea@sales.acme.example,No,,auto,yes,,,English",
            "Cal,Ortiz,edit-cal@sales.acme.example,No,,auto,on,14155550100,,English") + "\r\n";
        var page = await browser.SignedInPageAsync("accounts");
        await new AccountsPage(page).WaitUntilLoadedAsync();
        var dialog = new AddAccountDialog(page);
        await dialog.OpenMultipleAccountsAsync();
        await dialog.ChooseOrganizationAsync("Acme Sales");
        await dialog.UploadAsync("edit-me.csv", Encoding.UTF8.GetBytes(csv));

        await Expect(dialog.Dialog.GetByText("2 invalid", new() { Exact = true })).ToBeVisibleAsync();
        var repairs = dialog.Dialog.Locator(".ml-repairs tbody tr");
        await Expect(repairs).ToContainTextAsync("+14155550100");
        await Screenshots.SaveAsync(dialog.Dialog.Locator(".ml-repairs"), "08-import-repairs");
        // The README's picture of the preview: repairs above, the grid below, no tooltip in the way.
        await page.Mouse.MoveAsync(1, 1);
        await dialog.Dialog.Locator(".ml-edit-grid").ScrollIntoViewIfNeededAsync();
        await Screenshots.SaveAsync(dialog.Dialog, "07-import-preview-repairs-and-grid");

        await dialog.Dialog.Locator("td[data-cell='3-MonitorSms'] input").FillAsync("on");
        await dialog.Dialog.GetByRole(AriaRole.Button, new() { Name = "Accept repair of row 4, forwarding_number" }).ClickAsync();

        await Expect(dialog.Dialog.GetByText("0 invalid", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dialog.Dialog.Locator("td[data-cell='4-ForwardingNumber'] input")).ToHaveValueAsync("+14155550100");
        await Expect(dialog.Dialog.GetByText("2 rows edited")).ToBeVisibleAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => dialog.Dialog.GetByRole(AriaRole.Button, new() { Name = "Download edited CSV" }).ClickAsync());
        Assert.Equal("edit-me-edited.csv", download.SuggestedFilename);
        var edited = (await File.ReadAllTextAsync(await download.PathAsync(), TestContext.Current.CancellationToken)).TrimStart('\uFEFF').Split("\r\n");
        Assert.Equal("Bea,Ruiz,edit-bea@sales.acme.example,No,auto,on,,English", edited[2]);
        // Formula-safe as every download: a spreadsheet shows the number as text, with its +; the import reads it back.
        Assert.Equal("Cal,Ortiz,edit-cal@sales.acme.example,No,auto,on,'+14155550100,English", edited[3]);
        await Screenshots.SaveAsync(dialog.Dialog.Locator(".ml-edit-grid"), "09-import-edit-grid");
        await page.SetViewportSizeAsync(390, 844);
        await Screenshots.SaveAsync(dialog.Dialog.Locator(".ml-edit-grid"), "10-import-edit-grid-phone");
        await page.SetViewportSizeAsync(1280, 900);

        await dialog.Button("Import").ClickAsync();

        var progress = new ProgressWindow(page);
        await Expect(progress.ProgressBar).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 30_000 });
        await Expect(progress.State).ToHaveTextAsync("Completed");
        await using var db = browser.Portal.CreateDbContext();
        var bea = await db.Accounts.SingleAsync(a => a.Username == "edit-bea@sales.acme.example", TestContext.Current.CancellationToken);
        Assert.Equal(Core.Accounts.MonitorSms.On, bea.MonitorSms);
        var cal = await db.Accounts.SingleAsync(a => a.Username == "edit-cal@sales.acme.example", TestContext.Current.CancellationToken);
        Assert.Equal("+14155550100", cal.ForwardingNumber);
        var batch = await db.Batches.SingleAsync(b => b.FileName == "edit-me.csv", TestContext.Current.CancellationToken);
        Assert.Equal((3, 2, 0), (batch.Succeeded, batch.BrowserEditedRows, batch.BrowserRemovedRows));
    }

    [Fact]
    public async Task AThousandBadRowsScrollInOneVirtualizedGridWhereRepairsAreAcceptedAllAtOnceAndRowsRemoved()
    {
        var damaged = new Dictionary<int, string> { [2] = "14155550100", [500] = "14155550101", [1001] = "14155550102" };
        var rows = Enumerable.Range(2, 1000).Select(row =>
            $"Name{row},Virtual,virt-{row}@sales.acme.example,No,,auto,yes,{damaged.GetValueOrDefault(row, "")},,English");
        var page = await browser.SignedInPageAsync("accounts");
        await new AccountsPage(page).WaitUntilLoadedAsync();
        var dialog = new AddAccountDialog(page);
        await dialog.OpenMultipleAccountsAsync();
        await dialog.ChooseOrganizationAsync("Acme Sales");
        await dialog.UploadAsync("thousand.csv", Encoding.UTF8.GetBytes(string.Join("\r\n", [Header, .. rows]) + "\r\n"));

        await Expect(dialog.Dialog.GetByText("1,000 invalid", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var grid = dialog.Dialog.Locator(".ml-edit-grid");
        await Expect(grid.Locator("td[data-cell='2-MonitorSms'] input")).ToBeVisibleAsync();
        // Virtualized: only the rows in view (and a few beyond) are in the page, not a thousand rows of inputs.
        Assert.InRange(await grid.Locator("tbody tr").CountAsync(), 1, 60);

        await dialog.Dialog.GetByRole(AriaRole.Button, new() { Name = "Accept all repairs (3)" }).ClickAsync();
        await Expect(dialog.Dialog.GetByText("3 rows edited")).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // The last row is reached by scrolling the grid, and carries its accepted repair.
        var last = grid.Locator("td[data-cell='1001-ForwardingNumber'] input");
        for (var i = 0; i < 20 && await last.CountAsync() == 0; i++)
        {
            // Rows are measured as they render, so the list's height settles over a scroll or two.
            await grid.Locator(".mud-table-container").EvaluateAsync("e => e.scrollTop = e.scrollHeight");
            try
            {
                await last.WaitForAsync(new() { Timeout = 1_000 });
            }
            catch (TimeoutException)
            {
            }
        }
        await Expect(last).ToHaveValueAsync("+14155550102");
        await grid.GetByRole(AriaRole.Button, new() { Name = "Remove row 1001" }).ClickAsync();
        await Expect(dialog.Dialog.GetByText("2 rows edited and 1 row removed")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(dialog.Dialog.GetByText("999 invalid", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Screenshots.SaveAsync(dialog.Dialog, "11-import-edit-grid-thousand-rows");
    }
}
