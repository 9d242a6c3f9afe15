using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Core.Numbers;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>Undo a bad import from its batch page, and find its numbers Available again on the Numbers page.</summary>
public sealed class UndoImportTests(MailBrowserFixture browser) : IClassFixture<MailBrowserFixture>
{
    private const string Header = "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language";

    [Fact]
    public async Task UndoABatchAndSeeTheNumbersAvailableAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        // Three fresh Available numbers of Acme Sales, named by the file.
        var digits = $"646{Random.Shared.Next(200_000, 999_999)}";
        var numbers = Enumerable.Range(0, 3).Select(i => $"+1{digits}{i}").ToList();
        await using (var db = browser.Portal.CreateDbContext())
        {
            var sales = await db.Organizations.SingleAsync(o => o.Name == "Acme Sales", ct);
            db.Numbers.AddRange(numbers.Select(n => new MultiLineNumber { E164 = n, OrganizationId = sales.Id, State = NumberState.Available }));
            await db.SaveChangesAsync(ct);
        }
        var file = $"wrong-team-{digits}.csv";
        var csv = string.Join("\r\n", [Header, .. numbers.Select((n, i) => $"Wrong,Person {i},undo{digits}-{i}@sales.acme.example,No,{n},auto,on,,,English")]) + "\r\n";

        var page = await browser.SignedInPageAsync("accounts");
        await new AccountsPage(page).WaitUntilLoadedAsync();
        var dialog = new AddAccountDialog(page);
        await dialog.OpenMultipleAccountsAsync();
        await dialog.ChooseOrganizationAsync("Acme Sales");
        await dialog.UploadAsync(file, Encoding.UTF8.GetBytes(csv));
        await Expect(dialog.Dialog.GetByText("3 valid", new() { Exact = true })).ToBeVisibleAsync();
        await dialog.ImportAndInviteAsync();
        await Expect(new ProgressWindow(page).State).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });

        // The first invitation has reached its inbox before the undo: its link must stop working.
        var invited = $"undo{digits}-0@sales.acme.example";
        var email = await browser.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == invited));
        var link = Regex.Match(email.TextBody ?? "", @"https?://\S+/activate/[A-Za-z0-9_-]+").Value;
        Assert.NotEmpty(link);

        int importId;
        await using (var db = browser.Portal.CreateDbContext())
            importId = await db.Batches.Where(b => b.FileName == file).Select(b => b.Id).SingleAsync(ct);
        await page.GotoAsync($"reports/{importId}");
        await new BatchRows(page).WaitUntilInteractiveAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Undo import" }).ClickAsync();
        var confirm = page.GetByRole(AriaRole.Dialog);
        await Expect(confirm).ToContainTextAsync("3 accounts will be deleted, 3 numbers will be back to Available and 3 invitations will be revoked (the activation links stop working).");
        await Screenshots.SaveAsync(page, "40-undo-import-confirmation");
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Undo import" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex(@"reports/\d+$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Undo of batch {importId} · Acme Sales" })).ToBeVisibleAsync();
        var progress = new ProgressWindow(page, page.Locator(".mud-main-content"));
        await Expect(progress.ProgressBar).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = 30_000 });
        await Expect(progress.State).ToHaveTextAsync("Completed");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = $"batch {importId}" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "41-undo-import-finished");
        var invitee = await browser.NewPageAsync();
        await invitee.GotoAsync(link);
        await Expect(invitee.GetByText(Core.Invitations.AccountActivation.NotFoundMessage)).ToBeVisibleAsync();
        await invitee.CloseAsync();
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync($"reports/{importId}");
        await Expect(page.GetByText("Undone by")).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "The batch page scrolls sideways on a phone.");
        await Screenshots.SaveAsync(page, "43-undone-import-phone");
        await page.SetViewportSizeAsync(1280, 800);

        await page.GotoAsync("numbers");
        var organization = page.GetByLabel("Organization").First;
        await Expect(organization).ToBeEnabledAsync();
        // The page picks its first organization once the circuit has loaded them: until then a click opens nothing.
        await Expect(page.Locator(".mud-main-content .mud-grid, .mud-main-content .mud-paper").First).ToBeVisibleAsync();
        var option = page.Locator(".mud-popover-open .mud-list-item").GetByText("Acme Sales", new() { Exact = true });
        await organization.ClickAsync();
        try
        {
            await Expect(option).ToBeVisibleAsync(new() { Timeout = 5_000 });
        }
        catch (PlaywrightException)
        {
            await organization.ClickAsync();
        }
        await option.ClickAsync();
        await page.GetByPlaceholder("Search digits").FillAsync(digits);
        var rows = page.Locator("tbody tr.mud-table-row").Filter(new() { HasText = $"+1{digits}" });
        await Expect(rows).ToHaveCountAsync(3);
        foreach (var number in numbers)
            await Expect(rows.Filter(new() { HasText = number })).ToContainTextAsync("Available");
        await Screenshots.SaveAsync(page, "42-undo-import-numbers-available");
    }
}
