using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Tests;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

public sealed class SignInTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task DemoAdminSignsInAndPagesThroughAccounts()
    {
        var page = await browser.NewPageAsync();
        // The Content-Security-Policy header must let the interactive app work: Chromium reports every refusal here.
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                violations.Add(message.Text);
        };
        var signIn = new SignInPage(page);
        await signIn.OpenAsync("accounts");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/signin"));
        await Screenshots.SaveAsync(page, "01-sign-in");

        await signIn.SignInAsync(PortalFactory.AdminEmail, PortalFactory.Password);

        var accounts = new AccountsPage(page);
        await accounts.WaitUntilLoadedAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/accounts$"));
        await Expect(accounts.Rows).ToHaveCountAsync(25);
        await Expect(accounts.Pager).ToContainTextAsync("1-25 of");
        await Screenshots.SaveAsync(page, "02-accounts");

        await accounts.NextPageAsync();

        await Expect(accounts.Pager).ToContainTextAsync("26-50 of");
        Assert.Empty(violations);
    }

    [Fact]
    public async Task WrongPasswordShowsTheReasonOnTheForm()
    {
        var page = await browser.NewPageAsync();
        var signIn = new SignInPage(page);
        await signIn.OpenAsync();

        await signIn.SignInAsync(PortalFactory.AdminEmail, "not-the-password");

        await Expect(signIn.Alert).ToHaveTextAsync("The email or password is not correct.");
    }

    [Fact]
    public async Task NumbersPageShowsCapacityAndTheNumberList()
    {
        var page = await browser.SignedInPageAsync("numbers");

        await Expect(page.GetByText("Free capacity")).ToBeVisibleAsync();
        await page.Locator("table tbody tr.mud-table-row").First.WaitForAsync();
        await Screenshots.SaveAsync(page, "03-numbers");
    }
}
