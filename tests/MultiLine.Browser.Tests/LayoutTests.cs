using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations;
using MultiLine.Tests;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>
/// Every main page on a desk (1280×800) and on a phone (390×844): nothing scrolls sideways, the navigation folds into
/// a menu button on the phone, the Accounts table fits at 1280 and its dialogs fit the phone's screen. Each page is
/// saved as a screenshot (<c>50-…-desk.png</c>, <c>50-…-phone.png</c>) for people to look at.
/// </summary>
public sealed class LayoutTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<int, int, string> Sizes => new() { { 1280, 800, "desk" }, { 390, 844, "phone" } };

    private static Task<int> OverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");

    private static async Task AssertFitsAsync(IPage page, string what)
    {
        var overflow = await OverflowAsync(page);
        Assert.True(overflow <= 0, $"{what} scrolls sideways by {overflow}px.");
    }

    /// <summary>Saves the screenshot and notes a page that scrolls sideways, so every page can be looked at before the test fails.</summary>
    private static async Task ShowsAndFitsAsync(IPage page, string screenshot, string what, List<string> misfits)
    {
        await Screenshots.SaveAsync(page, screenshot);
        var overflow = await OverflowAsync(page);
        if (overflow > 0)
            misfits.Add($"{what} scrolls sideways by {overflow}px.");
        // A table may not hide columns behind a sideways scroll of its own either.
        var tables = await page.Locator(".mud-table-container").AllAsync();
        foreach (var table in tables)
        {
            var hidden = await SidewaysScrollAsync(table);
            if (hidden > 0)
                misfits.Add($"A table on {what} scrolls sideways by {hidden}px.");
        }
    }

    /// <summary>How far the element scrolls sideways inside its own box (0 when it fits).</summary>
    private static Task<int> SidewaysScrollAsync(ILocator element) =>
        element.EvaluateAsync<int>("e => e.scrollWidth - e.clientWidth");

    private async Task<int> AddFinishedBatchAsync()
    {
        await using var db = browser.Portal.CreateDbContext();
        var organization = await db.Organizations.FirstAsync(o => o.Name == "Acme Sales", Cancel);
        var now = DateTime.UtcNow;
        var batch = new BatchOperation
        {
            Kind = BatchKind.ImportAndInvite, State = BatchState.CompletedWithErrors, AdminName = "Ava Admin", OrganizationId = organization.Id,
            FileName = "new-starters-november.csv", TotalRows = 12, CreatedAtUtc = now.AddSeconds(-4), StartedAtUtc = now.AddSeconds(-4), FinishedAtUtc = now,
        };
        for (var i = 1; i <= 12; i++)
        {
            var failed = i % 4 == 0;
            batch.Rows.Add(new BatchRow
            {
                RowNumber = i + 1, FirstName = $"Starter{i}", LastName = "Example", Username = $"starter{i}.layout@sales.acme.example",
                Outcome = failed ? RowOutcome.Failed : RowOutcome.Succeeded, ProcessedAtUtc = now,
                Number = failed ? null : $"+1555030{i:D4}",
                Reason = failed ? $"The username starter{i}.layout@sales.acme.example is already in use by another account in this or another organization." : null,
            });
        }
        batch.Succeeded = 9;
        batch.Failed = 3;
        db.Batches.Add(batch);
        await db.SaveChangesAsync(Cancel);
        return batch.Id;
    }

    /// <summary>An invitation whose link the test knows (the database keeps only the token's hash).</summary>
    private async Task<string> InvitationLinkAsync(string size)
    {
        await using var db = browser.Portal.CreateDbContext();
        var acme = await db.Organizations.SingleAsync(o => o.Name == "Acme Corp", Cancel);
        var group = await db.PermissionGroups.FirstAsync(g => g.OrganizationId == acme.Id && g.IsDefault, Cancel);
        // A long name and username, as the activation card must fit them on a phone.
        var username = size == "phone" ? "maximiliana.oppenheimer@acme.example" : "m.oppenheimer-schwarzenberg@acme.example";
        var account = new Account
        {
            Username = username, NormalizedUsername = username,
            FirstName = "Maximiliana", LastName = size == "phone" ? "Oppenheimer" : "Oppenheimer-Schwarzenberg",
            OrganizationId = acme.Id, PermissionGroupId = group.Id, CreatedAtUtc = DateTime.UtcNow,
        };
        db.Accounts.Add(account);
        var outcome = await browser.Portal.Services.GetRequiredService<InvitationIssuer>().QueueAsync(db, account, Cancel);
        Assert.True(outcome.Succeeded, outcome.Reason);
        await db.SaveChangesAsync(Cancel);
        var token = ActivationTokens.NewToken();
        var invitation = await db.Invitations.SingleAsync(i => i.AccountId == account.Id, Cancel);
        invitation.TokenHash = ActivationTokens.Hash(token);
        await db.SaveChangesAsync(Cancel);
        return $"activate/{token}";
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task EveryMainPageFitsTheScreen(int width, int height, string size)
    {
        var batchId = await AddFinishedBatchAsync();
        var link = await InvitationLinkAsync(size);
        var page = await browser.NewPageAsync();
        var misfits = new List<string>();
        await page.SetViewportSizeAsync(width, height);

        var signIn = new SignInPage(page);
        await signIn.OpenAsync("accounts");
        await ShowsAndFitsAsync(page, $"50-sign-in-{size}", "The sign-in page", misfits);
        await signIn.SignInAsync(PortalFactory.AdminEmail, PortalFactory.Password);

        var accounts = new AccountsPage(page);
        await accounts.WaitUntilLoadedAsync();
        await ShowsAndFitsAsync(page, $"51-accounts-{size}", "The Accounts page", misfits);

        await page.GotoAsync("numbers");
        await page.Locator("table tbody tr.mud-table-row").First.WaitForAsync();
        await ShowsAndFitsAsync(page, $"52-numbers-{size}", "The Numbers page", misfits);

        await page.GotoAsync("reports");
        await Expect(page.GetByText("new-starters-november.csv").First).ToBeVisibleAsync();
        await ShowsAndFitsAsync(page, $"53-reports-{size}", "Batch Operation Reports", misfits);

        await page.GotoAsync($"reports/{batchId}");
        await new BatchRows(page).WaitUntilInteractiveAsync();
        await Expect(new BatchRows(page).Rows).ToHaveCountAsync(12);
        await ShowsAndFitsAsync(page, $"54-batch-detail-{size}", "The batch page", misfits);

        // Signing in left an entry, so the activity report has at least one row.
        await page.GotoAsync("reports/activity");
        await page.Locator("table tbody tr.mud-table-row").First.WaitForAsync();
        await ShowsAndFitsAsync(page, $"54b-activity-{size}", "Administrator Activity", misfits);

        await page.GotoAsync("outbox");
        await page.Locator("[data-testid=transport]").WaitForAsync();
        await page.Locator("table tbody tr.mud-table-row").First.WaitForAsync();
        await ShowsAndFitsAsync(page, $"55-outbox-{size}", "The Outbox", misfits);

        var settings = new SettingsPage(page);
        await page.GotoAsync("settings");
        await settings.SaveSettings.WaitForAsync();
        await ShowsAndFitsAsync(page, $"56-settings-{size}", "Settings", misfits);
        await settings.TemplatesTab.ClickAsync();
        await settings.PreviewSubject.WaitForAsync();
        await ShowsAndFitsAsync(page, $"57-settings-templates-{size}", "The invitation templates", misfits);

        await page.GotoAsync("settings/api-tokens");
        await page.GetByRole(AriaRole.Heading, new() { Name = "API tokens", Level = 1 }).WaitForAsync();
        await ShowsAndFitsAsync(page, $"58-api-tokens-{size}", "API tokens", misfits);

        await page.GotoAsync("organizations");
        await page.Locator("[data-testid=organization-tree] tbody tr.mud-table-row").First.WaitForAsync();
        await ShowsAndFitsAsync(page, $"60-organizations-{size}", "The Organizations page", misfits);

        await page.GotoAsync("permission-groups");
        await page.Locator("[data-testid=permission-groups] tbody tr.mud-table-row").First.WaitForAsync();
        await ShowsAndFitsAsync(page, $"61-permission-groups-{size}", "Permission groups", misfits);

        await page.GotoAsync("numbers/utilization");
        await page.Locator("[data-testid=utilization-percent]").WaitForAsync();
        await ShowsAndFitsAsync(page, $"62-number-utilization-{size}", "Number utilization", misfits);

        await page.GotoAsync("admin/administrators");
        await page.Locator("[data-testid=administrators] tbody tr.mud-table-row").First.WaitForAsync();
        await ShowsAndFitsAsync(page, $"63-administrators-{size}", "Administrators", misfits);

        await page.GotoAsync("admin/roles");
        await page.Locator("[data-testid=roles] tbody tr.mud-table-row").First.WaitForAsync();
        await ShowsAndFitsAsync(page, $"64-roles-{size}", "Roles and Privileges", misfits);

        var activation = new ActivationPage(page);
        await activation.OpenAsync(link);
        await Expect(activation.Heading).ToHaveTextAsync("Activate your account");
        await ShowsAndFitsAsync(page, $"59-activation-{size}", "The activation page", misfits);

        Assert.Empty(misfits);
    }

    [Fact]
    public async Task FromADeskToATabletTheAccountsTableFitsWithoutScrollingSideways()
    {
        var page = await browser.SignedInPageAsync("accounts");
        await page.SetViewportSizeAsync(1280, 800);
        var accounts = new AccountsPage(page);
        await accounts.WaitUntilLoadedAsync();

        var table = page.Locator(".ml-accounts-grid .mud-table-container");
        Assert.Equal(0, await SidewaysScrollAsync(table));
        // The columns an admin scans for, each with its header.
        string[] columns = ["Account", "Status", "MultiLine number", "Organization", "Permission group"];
        foreach (var header in columns)
            await Expect(page.Locator(".ml-accounts-grid thead th").Filter(new() { HasText = header }).First).ToBeVisibleAsync();

        // Narrower, Organization and Permission group give way and the rest still fits: a laptop with the navigation
        // docked, and a tablet just above the phone's cards.
        foreach (var (width, height) in new[] { (1024, 768), (640, 900) })
        {
            await page.SetViewportSizeAsync(width, height);
            await Expect(page.Locator(".ml-accounts-grid thead th").Filter(new() { HasText = "Organization" })).ToBeHiddenAsync();
            await Expect(page.Locator(".ml-accounts-grid thead th").Filter(new() { HasText = "Account" })).ToBeVisibleAsync();
            await Screenshots.SaveAsync(page, $"60-accounts-{width}");
            Assert.True(await SidewaysScrollAsync(table) <= 0, $"The Accounts table scrolls sideways at {width} px.");
            Assert.True(await OverflowAsync(page) <= 0, $"The Accounts page scrolls sideways at {width} px.");
        }
    }

    [Fact]
    public async Task OnAPhoneTheMenuButtonOpensTheNavigationAndDialogsFillTheScreen()
    {
        var page = await browser.NewPageAsync();
        await page.SetViewportSizeAsync(390, 844);
        var signIn = new SignInPage(page);
        await signIn.OpenAsync("accounts");
        await signIn.SignInAsync(PortalFactory.AdminEmail, PortalFactory.Password);
        var accounts = new AccountsPage(page);
        await accounts.WaitUntilLoadedAsync();

        // The navigation starts folded away and opens over the page from the menu button.
        var numbersLink = page.GetByRole(AriaRole.Link, new() { Name = "Numbers" });
        await Expect(numbersLink).Not.ToBeInViewportAsync();
        // The drawer folds itself once the browser has told it the screen's size; a click before that would unfold it.
        await Expect(page.Locator(".mud-drawer")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("mud-drawer--closed"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" }).ClickAsync();
        await Expect(numbersLink).ToBeInViewportAsync();
        await Screenshots.SaveScreenAsync(page, "61-navigation-open-phone");
        await numbersLink.ClickAsync();
        await page.Locator("table tbody tr.mud-table-row").First.WaitForAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Accounts" })).Not.ToBeInViewportAsync();

        // A dialog takes the whole screen and nothing in it scrolls sideways.
        await page.GotoAsync("accounts");
        await accounts.WaitUntilLoadedAsync();
        var dialog = new AddAccountDialog(page);
        await dialog.OpenSingleAccountAsync();
        await Expect(dialog.Username).ToBeVisibleAsync();
        var box = await page.Locator(".mud-dialog").BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.Equal(390, box.Width, 1.0);
        Assert.Equal(844, box.Height, 1.0);
        // Both tabs show in full: they share the width instead of scrolling.
        await Expect(dialog.Dialog.GetByRole(AriaRole.Tab, new() { Name = "Single Account" })).ToBeInViewportAsync(new() { Ratio = 1 });
        await Expect(dialog.Dialog.GetByRole(AriaRole.Tab, new() { Name = "Multiple Accounts" })).ToBeInViewportAsync(new() { Ratio = 1 });
        await Screenshots.SaveScreenAsync(page, "62-add-account-single-phone");
        await AssertFitsAsync(page, "The Add Account dialog");
        await dialog.Dialog.GetByRole(AriaRole.Tab, new() { Name = "Multiple Accounts" }).ClickAsync();
        await Screenshots.SaveScreenAsync(page, "63-add-account-multiple-phone");
        await AssertFitsAsync(page, "The Multiple Accounts tab");
    }
}
