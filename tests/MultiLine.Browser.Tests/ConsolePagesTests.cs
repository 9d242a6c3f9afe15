using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations.Outbox;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>
/// The not-found page, the Outbox and the batch page with their filters in the address, on a desk (1280×800) and on a
/// phone (390×844): they fit without sideways scrolling, and the browser asks no other host for anything.
/// </summary>
public sealed class ConsolePagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<int, int, string> Sizes => new() { { 1280, 800, "desk" }, { 390, 844, "phone" } };

    private async Task<int> AddBatchWithFailuresAsync()
    {
        await using var db = browser.Portal.CreateDbContext();
        var organization = await db.Organizations.FirstAsync(o => o.Name == "Acme Sales", Cancel);
        var now = DateTime.UtcNow;
        var batch = new BatchOperation
        {
            Kind = BatchKind.ImportAndInvite, State = BatchState.CompletedWithErrors, AdminName = "Test", OrganizationId = organization.Id,
            FileName = "new-starters.csv", TotalRows = 40, CreatedAtUtc = now.AddSeconds(-3), StartedAtUtc = now.AddSeconds(-3), FinishedAtUtc = now,
        };
        for (var i = 1; i <= 40; i++)
        {
            var failed = i % 8 == 0;
            batch.Rows.Add(new BatchRow
            {
                RowNumber = i + 1, FirstName = $"Starter{i}", LastName = "Example", Username = $"starter{i}@sales.acme.example",
                Outcome = failed ? RowOutcome.Failed : RowOutcome.Succeeded, ProcessedAtUtc = now,
                Number = failed ? null : $"+1555020{i:D4}",
                Reason = failed ? $"The username starter{i}@sales.acme.example is already in use by another account in this or another organization." : null,
            });
        }
        batch.Succeeded = 35;
        batch.Failed = 5;
        db.Batches.Add(batch);
        await db.SaveChangesAsync(Cancel);
        return batch.Id;
    }

    private async Task AddFailedEmailAsync(string to)
    {
        await using var db = browser.Portal.CreateDbContext();
        db.EmailMessages.Add(new EmailMessage
        {
            ToAddress = to, Subject = "Your MultiLine invitation", HtmlBody = "<p>x</p>", TextBody = "x",
            State = EmailState.Failed, Attempts = 6, LastError = "550 5.1.1 mailbox unavailable",
            CreatedAtUtc = DateTime.UtcNow, NextAttemptAtUtc = DateTime.UtcNow.AddDays(30),
        });
        await db.SaveChangesAsync(Cancel);
    }

    /// <summary>Every request the page makes, to check none leaves for another host.</summary>
    private static List<Uri> Requests(IPage page)
    {
        var requests = new List<Uri>();
        page.Request += (_, request) => { lock (requests) requests.Add(new Uri(request.Url)); };
        return requests;
    }

    private static async Task AssertFitsAsync(IPage page, string what)
    {
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"{what} scrolls sideways by {overflow}px.");
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task TheConsolePagesFitTheScreenKeepTheirFiltersInTheAddressAndAskNoOtherHost(int width, int height, string size)
    {
        var batchId = await AddBatchWithFailuresAsync();
        var bounced = $"bounced.{size}@sales.acme.example";
        await AddFailedEmailAsync(bounced);
        var page = await browser.SignedInPageAsync("accounts");
        await page.SetViewportSizeAsync(width, height);
        var requests = Requests(page);

        // An unknown address: the not-found page inside the layout, with a way back.
        var response = await page.GotoAsync("no/such/page");
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByText("Page not found")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Go to Accounts" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Toggle navigation" })).ToBeVisibleAsync();
        await AssertFitsAsync(page, "The not-found page");
        await Screenshots.SaveAsync(page, $"40-not-found-{size}");

        // The Outbox, filtered by its address.
        await page.GotoAsync($"outbox?state=Failed&q=bounced.{size}");
        await Expect(page.Locator("table tbody tr.mud-table-row")).ToHaveCountAsync(1);
        await Expect(page.Locator("table tbody tr.mud-table-row")).ToContainTextAsync(bounced);
        await AssertFitsAsync(page, "The Outbox");
        await Screenshots.SaveAsync(page, $"41-outbox-filtered-{size}");

        // The batch page: all rows, then the failed ones by the address, then a search typed in.
        await page.GotoAsync($"reports/{batchId}");
        var rows = new BatchRows(page);
        await rows.WaitUntilInteractiveAsync();
        await Expect(rows.Rows).ToHaveCountAsync(25);
        await AssertFitsAsync(page, "The batch page");
        await Screenshots.SaveAsync(page, $"42-batch-rows-{size}");
        await page.GotoAsync($"reports/{batchId}?outcome=Failed");
        await rows.WaitUntilInteractiveAsync();
        await Expect(rows.FailedRows).ToHaveCountAsync(5);
        await AssertFitsAsync(page, "The batch page's failed rows");
        await Screenshots.SaveAsync(page, $"43-batch-failed-rows-{size}");
        await rows.SearchAsync("starter16@");
        await Expect(rows.Rows).ToHaveCountAsync(1);
        await Expect(page).ToHaveURLAsync($"{browser.Address}reports/{batchId}?outcome=Failed&q=starter16%40");

        lock (requests)
            Assert.All(requests, request => Assert.Equal(browser.Address.Authority, request.Authority));
        Assert.Contains(requests, request => request.AbsolutePath.EndsWith(".woff2", StringComparison.Ordinal));
    }
}
