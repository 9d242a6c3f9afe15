using Microsoft.EntityFrameworkCore;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>What an admin reads on the batch progress view and on the Single Account form, in a real browser.</summary>
public sealed class BatchProgressAndSingleAccountTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // A batch another worker holds, part-way through: this portal's worker leaves it alone.
    private async Task<int> AddBatchAsync(int total, int processed)
    {
        await using var db = browser.Portal.CreateDbContext();
        var organization = await db.Organizations.FirstAsync(o => o.Name == "Acme Sales", Cancel);
        var now = DateTime.UtcNow;
        var finished = processed == total;
        var batch = new BatchOperation
        {
            Kind = BatchKind.Import, State = finished ? BatchState.Completed : BatchState.Running, AdminName = "Test", OrganizationId = organization.Id,
            FileName = $"progress-{processed}-of-{total}.csv", TotalRows = total, Succeeded = processed,
            CreatedAtUtc = now.AddSeconds(-5), StartedAtUtc = now.AddSeconds(-5), FinishedAtUtc = finished ? now : null,
            ClaimedBy = "another-instance", ClaimExpiresAtUtc = now.AddHours(1),
        };
        for (var row = 1; row <= total; row++)
        {
            batch.Rows.Add(new BatchRow
            {
                RowNumber = row + 1, Username = $"row{row}@sales.acme.example", NormalizedUsername = $"row{row}@sales.acme.example",
                Outcome = row <= processed ? RowOutcome.Succeeded : RowOutcome.Pending, ProcessedAtUtc = row <= processed ? now : null,
            });
        }
        db.Batches.Add(batch);
        await db.SaveChangesAsync(Cancel);
        return batch.Id;
    }

    // WCAG contrast ratio of the element's text against the first opaque background behind it.
    private const string Contrast = """
        el => {
          const rgba = s => s.match(/[\d.]+/g).map(Number);
          const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
          const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
          let back = [255, 255, 255];
          for (let node = el; node; node = node.parentElement) {
            const color = rgba(getComputedStyle(node).backgroundColor);
            if (color.length < 4 || color[3] > 0) { back = color; break; }
          }
          const [light, dark] = [luminance(rgba(getComputedStyle(el).color)), luminance(back)].sort((a, b) => b - a);
          return (light + 0.05) / (dark + 0.05);
        }
        """;

    [Fact]
    public async Task ThePercentageCanBeReadAtEveryValueAndTheTimeSoFarTicks()
    {
        var page = await browser.SignedInPageAsync("reports");
        foreach (var percent in new[] { 0, 5, 50, 100 })
        {
            var batchId = await AddBatchAsync(total: 200, processed: 2 * percent);
            await page.GotoAsync($"reports/{batchId}");
            // The page is served first as static HTML; what the test reads must be the live circuit's.
            var panel = page.Locator(".ml-batch-detail[data-interactive=true]");
            var progress = new ProgressWindow(page, panel);
            await Expect(progress.ProgressBar).ToHaveAttributeAsync("aria-valuenow", percent.ToString());

            var label = panel.Locator(".ml-progress-percent");
            await Expect(label).ToHaveTextAsync($"{percent}%");
            var bar = await progress.ProgressBar.BoundingBoxAsync();
            var text = await label.BoundingBoxAsync();
            Assert.True(text!.X >= bar!.X + bar.Width, $"At {percent}% the label overlaps the bar.");
            Assert.True(await label.EvaluateAsync<double>(Contrast) >= 4.5, $"At {percent}% the label is hard to read.");
            await Screenshots.SaveAsync(panel, $"08-batch-progress-{percent}");

            if (percent == 50)
            {
                var pace = panel.Locator(".ml-progress-pace");
                await Expect(pace).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^0:0\d elapsed$"));
                var first = await pace.TextContentAsync();
                await Expect(pace).Not.ToHaveTextAsync(first!);
                await Expect(pace).Not.ToContainTextAsync("Starting");
            }
        }
    }

    [Fact]
    public async Task SingleAccountShowsEachNewErrorAndWarnsWhenTheAccountIsAddedButNotInvited()
    {
        string taken;
        await using (var db = browser.Portal.CreateDbContext())
            taken = await db.Accounts.Where(a => a.Organization!.Name == "Acme Sales" && a.NormalizedUsername.Contains("@")).Select(a => a.Username).FirstAsync(Cancel);
        var page = await browser.SignedInPageAsync("accounts");
        await new AccountsPage(page).WaitUntilLoadedAsync();
        var dialog = new AddAccountDialog(page);
        await dialog.OpenSingleAccountAsync();
        await dialog.ChooseSingleAccountOrganizationAsync("Acme Sales");

        await dialog.Username.FillAsync("not-an-email@");
        await dialog.Button("Save").ClickAsync();
        await Expect(dialog.UsernameError).ToHaveTextAsync("\"not-an-email@\" is not a valid email address.");

        await dialog.Username.FillAsync(taken);
        await dialog.Button("Save").ClickAsync();
        await Expect(dialog.UsernameError).ToHaveTextAsync($"\"{taken}\" already exists in organization Acme Sales.");
        await Screenshots.SaveAsync(page, "09-single-account-second-error");

        await dialog.Username.FillAsync("+14155550911");
        await dialog.Button("Save & Invite").ClickAsync();

        var warning = page.Locator(".mud-snackbar.mud-alert-filled-warning");
        await Expect(warning).ToContainTextAsync(InvitationRules.NeedsEmailAddress);
        await Expect(page.Locator(".mud-snackbar.mud-alert-filled-success")).ToHaveCountAsync(0);
        await Screenshots.SaveAsync(page, "10-single-account-added-not-invited");
        await using var after = browser.Portal.CreateDbContext();
        Assert.True(await after.Accounts.AnyAsync(a => a.NormalizedUsername == "+14155550911", Cancel));
    }
}
