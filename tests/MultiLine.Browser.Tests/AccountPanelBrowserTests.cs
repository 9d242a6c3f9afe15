using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>An account's whole life from the table: open its panel, suspend, unsuspend, edit and delete it.</summary>
public sealed class AccountPanelBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AnAdminOpensAnAccountFromTheTableSuspendsUnsuspendsEditsAndDeletesIt()
    {
        var page = await browser.SignedInPageAsync("accounts");
        var accounts = new AccountsPage(page);
        await accounts.WaitUntilLoadedAsync();
        await page.GetByLabel("Status").Last.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").GetByText("Active", new() { Exact = true }).ClickAsync();
        await Expect(accounts.Rows.First).ToContainTextAsync("Active");
        var link = accounts.Rows.First.Locator("a[data-account-link]");
        var username = (await accounts.Rows.First.Locator(".ml-account-username").TextContentAsync())!.Trim();

        await link.ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/accounts/\\d+$"));
        var status = page.Locator("[data-field='Status']");
        await Expect(status).ToContainTextAsync("Active");
        await Expect(page.Locator("[data-field='Username']")).ToContainTextAsync(username);

        await page.GetByRole(AriaRole.Button, new() { Name = "Suspend", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Suspend", Exact = true }).ClickAsync();
        await Expect(status).ToContainTextAsync("Suspended (was Active)");
        await Screenshots.SaveAsync(page, "20-account-panel-suspended");

        await page.GetByRole(AriaRole.Button, new() { Name = "Unsuspend", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Unsuspend", Exact = true }).ClickAsync();
        await Expect(status).Not.ToContainTextAsync("Suspended");
        await Expect(status).ToContainTextAsync("Active");

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit", Exact = true }).ClickAsync();
        var edit = page.GetByRole(AriaRole.Dialog);
        await edit.GetByLabel("First name").FillAsync("Renamed");
        await edit.GetByLabel("First name").PressAsync("Tab");
        await Screenshots.SaveAsync(page, "21-account-edit-dialog");
        await edit.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await Expect(page.Locator("[data-field='First name']")).ToContainTextAsync("Renamed");
        await Expect(page.GetByText("→ Renamed").First).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "22-account-panel-history");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        var delete = page.GetByRole(AriaRole.Dialog);
        await Expect(delete).ToContainTextAsync("What becomes of");
        await Screenshots.SaveAsync(page, "23-account-delete-dialog");
        await delete.GetByRole(AriaRole.Button, new() { Name = "Delete account" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/accounts$"));
        await Expect(page.GetByText($"{username} is deleted")).ToBeVisibleAsync();
    }
}
