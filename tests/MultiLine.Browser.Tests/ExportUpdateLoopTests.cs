using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Core.Accounts;
using MultiLine.Tests;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>The export → edit → re-import loop, as an admin in Rome does it: download the accounts, edit the file, upload it as an update.</summary>
public sealed class ExportUpdateLoopTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DownloadTheAccountsChangeAGroupAndALanguageUploadThemAsAnUpdateAndReadTheReport()
    {
        int salesId;
        await using (var db = browser.Portal.CreateDbContext())
            salesId = await db.Organizations.Where(o => o.Name == "Acme Sales").Select(o => o.Id).SingleAsync(Ct);
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = browser.Address.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            AcceptDownloads = true,
            TimezoneId = "Europe/Rome",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync($"accounts?org={salesId}&sort=Username");
        await signIn.SignInAsync(PortalFactory.AdminEmail, PortalFactory.Password);
        await new AccountsPage(page).WaitUntilLoadedAsync();

        // The link learns the browser's time zone once the page is interactive.
        var downloadLink = page.GetByRole(AriaRole.Link, new() { Name = "Download CSV" });
        await Expect(downloadLink).ToHaveAttributeAsync("href", new Regex("tz=Europe%2FRome"));
        var download = await page.RunAndWaitForDownloadAsync(() => downloadLink.ClickAsync());

        Assert.Matches(new Regex(@"^accounts-acme-sales-\d{4}-\d{2}-\d{2}\.csv$"), download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync(), Ct);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n").ToList();
        Assert.Matches(@"^# Generated: \d{4}-\d{2}-\d{2} \d{2}:\d{2} Europe/Rome \(UTC\+01:00\)$", lines[1]);
        Assert.Equal("# Organization: Acme Sales", lines[2]);
        var header = lines.IndexOf(lines.First(l => l.StartsWith("firstname,", StringComparison.Ordinal)));
        var accounts = lines.Skip(header + 1).Count(l => l.Length > 0);

        // Change one account's permission group and language, as an admin would in a spreadsheet.
        var index = lines.FindIndex(header + 1, l => l.Length > 0 && !l.Contains('"') && l.Contains("@sales.acme.example"));
        var cells = lines[index].Split(',');
        var (group, language) = (cells[6], cells[13]);
        var newGroup = group == "Standard" ? "Messaging only" : "Standard";
        var newLanguage = language == "French" ? "Spanish" : "French";
        (cells[6], cells[13]) = (newGroup, newLanguage);
        lines[index] = string.Join(',', cells);
        var edited = Encoding.UTF8.GetBytes(string.Join("\r\n", lines));

        await page.GetByRole(AriaRole.Button, new() { Name = "Update from CSV" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.Locator("input[type=file]").SetInputFilesAsync(new FilePayload { Name = download.SuggestedFilename, MimeType = "text/csv", Buffer = edited });

        await Expect(dialog.GetByText("1 account will change", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dialog.GetByText($"{accounts - 1} unchanged", new() { Exact = true })).ToBeVisibleAsync();
        await Expect(dialog.GetByText("0 refused", new() { Exact = true })).ToBeVisibleAsync();
        var row = dialog.Locator(".ml-update-rows tbody tr").Filter(new() { HasText = cells[2] });
        await Expect(row).ToContainTextAsync($"User Permissions: {group} → {newGroup}");
        await Expect(row).ToContainTextAsync($"language: {language} → {newLanguage}");
        await Expect(dialog.GetByText("are read-only: an update leaves them as they are")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "12-update-preview");

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Update 1 account" }).ClickAsync();

        var progress = new ProgressWindow(page);
        await Expect(progress.ProgressBar).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 30_000 });
        await Expect(progress.State).ToHaveTextAsync("Completed");
        await Screenshots.SaveAsync(page, "13-update-done");
        var report = await page.RunAndWaitForDownloadAsync(() => progress.DownloadReport.ClickAsync());
        var reportText = await File.ReadAllTextAsync(await report.PathAsync(), Ct);
        Assert.Matches(Regex.Escape(cells[2]) + ",[^,]*,Succeeded," + Regex.Escape($"Changed: User Permissions {group} → {newGroup}; language {language} → {newLanguage}."), reportText);
        Assert.Equal(accounts - 1, Regex.Matches(reportText, "Skipped,Nothing to change").Count);

        await using var check = browser.Portal.CreateDbContext();
        var account = await check.Accounts.Include(a => a.PermissionGroup).SingleAsync(a => a.Username == cells[2], Ct);
        Assert.Equal((newGroup, newLanguage), (account.PermissionGroup!.Name, account.Language.ToString()));
        await context.CloseAsync();
    }
}
