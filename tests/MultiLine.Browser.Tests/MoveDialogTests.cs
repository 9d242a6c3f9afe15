using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Tests;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

public sealed class MoveDialogTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task MoveIsDisabledWhenTheDestinationLacksNumbersAndHoverSaysExactlyWhy()
    {
        var page = await browser.SignedInPageAsync("accounts");
        var accounts = new AccountsPage(page);
        await accounts.WaitUntilLoadedAsync();
        await page.GetByLabel("Status").Last.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").GetByText("Not invited", new() { Exact = true }).ClickAsync();
        await Expect(accounts.Rows.First).ToContainTextAsync("Not invited");
        for (var i = 0; i < 5; i++)
            await accounts.Rows.Nth(i).Locator("input[type=checkbox]").CheckAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Move" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        var destination = dialog.GetByLabel("Destination organization").Last;
        await Expect(destination).ToBeEnabledAsync();
        await destination.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item").GetByText("Support EMEA", new() { Exact = true }).ClickAsync();

        await Expect(dialog.GetByText("selected accounts will move to")).ToBeVisibleAsync();
        var move = dialog.GetByRole(AriaRole.Button, new() { Name = "Move" });
        await Expect(move).ToBeDisabledAsync();
        // A disabled button takes no pointer events; its tooltip's root does.
        await dialog.Locator(".mud-tooltip-root", new() { Has = page.GetByRole(AriaRole.Button, new() { Name = "Move", Exact = true }) }).HoverAsync();
        await Expect(page.Locator(".mud-tooltip.mud-popover-open")).ToHaveTextAsync("Unable to move account(s). You do not have enough numbers available in the selected organization");
        await Screenshots.SaveAsync(page, "08-move-disabled");
    }
}
