using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Tests;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>The help article's flow: upload a CSV, read the preview, Import &amp; Invite, watch it, download the report.</summary>
public sealed class ImportFlowTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string Header = "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language";

    private static byte[] Csv(int goodRows, string prefix)
    {
        var lines = new List<string> { Header };
        for (var i = 0; i < goodRows; i++)
        {
            lines.Add($"Ana,Núñez {i},{prefix}{i}@sales.acme.example,No,,auto,on,,,Spanish");
            if (i == 2)
                lines.Add($"Bad,Sms,{prefix}bad-sms@sales.acme.example,No,,auto,yes,,,English");
            if (i == 4)
                lines.Add($"Bad,Email,not-an-email,No,,auto,on,,,English");
        }
        return Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");
    }

    [Fact]
    public async Task UploadPreviewImportAndInviteWatchItFinishAndDownloadTheReport()
    {
        var page = await browser.SignedInPageAsync("accounts");
        await new AccountsPage(page).WaitUntilLoadedAsync();
        var dialog = new AddAccountDialog(page);
        await dialog.OpenMultipleAccountsAsync();
        await dialog.ChooseOrganizationAsync("Acme Sales");

        await dialog.UploadAsync("new-sales-team.csv", Csv(40, "flow"));

        await Expect(dialog.Dialog.GetByText("40 valid", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dialog.Dialog.GetByText("2 invalid", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dialog.ProblemRows.Filter(new() { HasText = "\"yes\" is not one of on, off." })).ToContainTextAsync("monitor_sms");
        await Expect(dialog.ProblemRows.Filter(new() { HasText = "not-an-email" })).ToContainTextAsync("email address or device");
        await Expect(dialog.Dialog.GetByText("40 rows without a number;")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "04-upload-preview");

        await dialog.ImportOnlyValidRowsAsync();
        await dialog.ImportAndInviteAsync();

        var progress = new ProgressWindow(page);
        await Expect(progress.ProgressBar).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 30_000 });
        await Expect(progress.State).ToHaveTextAsync("Completed with errors");
        await Expect(progress.FailedRows).ToHaveCountAsync(2);
        await Screenshots.SaveAsync(page, "05-progress-done");

        var download = await page.RunAndWaitForDownloadAsync(() => progress.DownloadReport.ClickAsync());

        Assert.Matches(new Regex(@"^batch-\d{4}-\d{2}-\d{2}-acme-sales-\d+\.csv$"), download.SuggestedFilename);
        var report = await File.ReadAllTextAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        var lines = report.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("row,firstname,lastname,email address or device,multiline_number,outcome,reason,invitation", lines[0]);
        Assert.Equal(43, lines.Length);
        // The report follows delivery: the invitation is Queued, or already Sent by the outbox.
        Assert.Matches(@"^2,Ana,Núñez 0,flow0@sales\.acme\.example,,Succeeded,,(Queued|Sent)$", lines[1]);
        Assert.StartsWith("5,Bad,Sms,flowbad-sms@sales.acme.example,,Failed,", lines[4]);
    }

    [Fact]
    public async Task ASecondAdminWatchesTheSameBatchProgressFromTheReportsPage()
    {
        var watcher = await browser.SignedInPageAsync("reports");
        await Expect(watcher.GetByRole(AriaRole.Heading, new() { Name = "Batch Operation Reports" })).ToBeVisibleAsync();
        var importer = await browser.SignedInPageAsync("accounts");
        await new AccountsPage(importer).WaitUntilLoadedAsync();
        var dialog = new AddAccountDialog(importer);
        await dialog.OpenMultipleAccountsAsync();
        await dialog.ChooseOrganizationAsync("Acme Sales");
        await dialog.UploadAsync("big-team.csv", Csv(400, "watch"));
        await dialog.ImportOnlyValidRowsAsync();
        await dialog.ImportAndInviteAsync();

        var row = watcher.Locator("tbody tr").Filter(new() { HasText = "big-team.csv" });
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await row.ClickAsync();
        var detail = new ProgressWindow(watcher, watcher.Locator(".mud-main-content"));
        await Expect(detail.ProgressBar).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 60_000 });
        await Expect(detail.State).ToHaveTextAsync("Completed with errors");
        // Every row, a page at a time; the failed ones one click away, and the choice kept in the address.
        var rows = new BatchRows(watcher);
        await rows.WaitUntilInteractiveAsync();
        await Expect(rows.Rows).ToHaveCountAsync(25);
        await Screenshots.SaveAsync(watcher, "06-batch-detail");
        await rows.ChooseOutcomeAsync("Failed");
        await Expect(rows.FailedRows).ToHaveCountAsync(2);
        await Expect(rows.Rows).ToHaveCountAsync(2);
        await Expect(watcher).ToHaveURLAsync(new Regex(@"reports/\d+\?outcome=Failed$"));
        await watcher.ReloadAsync();
        await Expect(rows.FailedRows).ToHaveCountAsync(2);
        await watcher.GotoAsync("reports");
        await Expect(watcher.Locator("tbody tr").Filter(new() { HasText = "big-team.csv" })).ToContainTextAsync("400 succeeded · 2 failed");
        await Screenshots.SaveAsync(watcher, "07-batch-reports");
    }
}
