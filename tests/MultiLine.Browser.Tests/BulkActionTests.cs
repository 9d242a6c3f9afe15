using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Core.Accounts;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>A bulk action on every account matching a filter, from the Accounts table to the finished batch.</summary>
public sealed class BulkActionTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task SuspendEveryAccountMatchingTheFilterAfterAConfirmationThatSaysTheFilterIsAppliedAgain()
    {
        int active, organization;
        string path;
        await using (var db = browser.Portal.CreateDbContext())
        {
            var acme = await db.Organizations.SingleAsync(o => o.Name == "Acme Corp", TestContext.Current.CancellationToken);
            active = await db.Accounts.CountAsync(a => a.Status == AccountStatus.Active && a.Organization!.Path.StartsWith(acme.Path), TestContext.Current.CancellationToken);
            (organization, path) = (acme.Id, acme.Path);
        }
        // The organization filter comes from the address (a shared link); the status filter is chosen on the page.
        var page = await browser.SignedInPageAsync($"accounts?org={organization}&sub=1");
        var accounts = new AccountsPage(page);
        await accounts.WaitUntilLoadedAsync();
        await page.GetByLabel("Status").Last.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").GetByText("Active", new() { Exact = true }).ClickAsync();
        await Expect(accounts.Pager).ToContainTextAsync($"of {active}");

        await page.Locator("table thead input[type=checkbox]").CheckAsync();
        var selectAll = page.GetByRole(AriaRole.Button, new() { Name = $"Select all {active:N0} accounts matching this filter" });
        await selectAll.ClickAsync();
        await Expect(page.Locator("[data-select-all]")).ToContainTextAsync($"All {active:N0} accounts matching this filter are selected.");
        await page.GetByRole(AriaRole.Button, new() { Name = "More actions" }).ClickAsync();
        await page.Locator(".mud-popover-open").GetByText("Suspend", new() { Exact = true }).ClickAsync();

        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(dialog.Locator("[data-bulk-count]")).ToHaveTextAsync($"{active:N0} accounts match the filter.");
        await Expect(dialog.Locator("[data-bulk-effect]")).ToHaveTextAsync($"{active:N0} accounts will be suspended (they keep their numbers).");
        await Expect(dialog.GetByText("The filter is applied again when you confirm; accounts that match it then are included.")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "20-bulk-suspend-confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Suspend", Exact = true }).ClickAsync();

        var progress = new ProgressWindow(page);
        await Expect(progress.State).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        await Screenshots.SaveAsync(page, "21-bulk-suspend-finished");
        await using var check = browser.Portal.CreateDbContext();
        Assert.Equal(0, await check.Accounts.CountAsync(a => a.Status == AccountStatus.Active && a.Organization!.Path.StartsWith(path), TestContext.Current.CancellationToken));
        Assert.True(await check.Accounts.AnyAsync(a => a.Status == AccountStatus.Active, TestContext.Current.CancellationToken), "Accounts outside the filter stay active.");
    }
}
