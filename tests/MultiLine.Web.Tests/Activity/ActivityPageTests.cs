using Bunit;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Web.Activity;
using MultiLine.Web.Tests.Components;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Activity;

/// <summary>The Administrator Activity page: its filters, server-side paging, target links and empty state, on the demo database.</summary>
public sealed class ActivityPageTests : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly PortalFixture _portal;
    private readonly BunitContext _context;
    // Each test's entries carry their own admin name, so the demo's and other tests' entries never match.
    private readonly string _word = $"auditor{Guid.NewGuid():N}"[..15];

    public ActivityPageTests(PortalFixture portal)
    {
        _portal = portal;
        _context = PortalTestContext.Create(portal.Factory);
    }

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private async Task AddEntriesAsync(int count, string action = ActivityActions.AccountSuspend, ActivitySource source = ActivitySource.Portal)
    {
        await using var db = _portal.Factory.CreateDbContext();
        var organization = await db.Organizations.OrderBy(o => o.Id).Select(o => o.Id).FirstAsync(Ct);
        var account = await db.Accounts.OrderBy(a => a.Id).Select(a => new { a.Id, a.Username }).FirstAsync(Ct);
        var now = DateTime.UtcNow;
        for (var i = 0; i < count; i++)
            ActivityLog.Record(db, new ActivityActor(1, $"{_word} admin", "192.0.2.10", source), now.AddSeconds(-i), action, organization,
                ActivityTargetKind.Account, account.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), account.Username, $"Entry {i:00}");
        await db.SaveChangesAsync(Ct);
    }

    private IRenderedComponent<ActivityPage> RenderFiltered(string admin)
    {
        var page = _context.Render<ActivityPage>();
        page.WaitForAssertion(() => page.Find("#activity-admin").Change(admin));
        return page;
    }

    private static List<string> Details(IRenderedComponent<ActivityPage> page) =>
        page.FindAll("tbody tr.mud-table-row").Select(row => row.QuerySelectorAll("td")[5].TextContent.Trim()).ToList();

    [Fact]
    public async Task TheAdminFilterShowsTheirEntriesNewestFirstAPageAtATime()
    {
        await AddEntriesAsync(30);

        var page = RenderFiltered(_word);

        page.WaitForAssertion(() =>
        {
            Assert.Equal(25, Details(page).Count);
            Assert.Equal("Entry 00", Details(page)[0]);
            Assert.Contains("of 30", page.Find(".mud-table-pagination").TextContent);
        });
        var row = page.FindAll("tbody tr.mud-table-row")[0];
        Assert.Contains("Suspended", row.TextContent);
        Assert.Contains("192.0.2.10", row.TextContent);
        Assert.Contains("Portal", row.TextContent);
        // The account still exists, so its name links to its page.
        Assert.StartsWith("accounts/", row.QuerySelector("a")!.GetAttribute("href"));

        page.ClickOn(() => page.Find("button[aria-label='Next page']"));
        // On a busy machine the grid's first, unfiltered load can land after the click and show the first page again:
        // the admin would click Next once more, and so does the test (there are two pages, so it cannot overshoot).
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                page.WaitForAssertion(() => Assert.Equal(["Entry 25", "Entry 26", "Entry 27", "Entry 28", "Entry 29"], Details(page)), TimeSpan.FromSeconds(5));
                break;
            }
            catch (Bunit.Extensions.WaitForHelpers.WaitForFailedException) when (attempt < 2 && Details(page) is ["Entry 00", ..])
            {
                page.ClickOn(() => page.Find("button[aria-label='Next page']"));
            }
        }
    }

    [Fact]
    public async Task TheSourceFilterNarrowsTheEntriesAndTheDownloadLinkCarriesTheFilter()
    {
        await AddEntriesAsync(2, ActivityActions.AccountEdit, ActivitySource.Api);
        await AddEntriesAsync(3, ActivityActions.AccountEdit, ActivitySource.Portal);
        var page = RenderFiltered(_word);
        page.WaitForAssertion(() => Assert.Equal(5, Details(page).Count));

        await page.InvokeAsync(() => page.FindComponents<MudBlazor.MudSelect<ActivitySource?>>()[0].Instance.ValueChanged.InvokeAsync(ActivitySource.Api));

        page.WaitForAssertion(() => Assert.Equal(2, Details(page).Count));
        var link = page.Find("[data-testid=activity-download]").GetAttribute("href")!;
        Assert.StartsWith("reports/activity.csv?", link);
        Assert.Contains($"admin={_word}", link);
        Assert.Contains("source=Api", link);
    }

    [Fact]
    public void AFilterThatMatchesNothingSaysSo()
    {
        var page = RenderFiltered($"{_word}-nobody");

        page.WaitForAssertion(() => Assert.Contains("No activity matches these filters", page.Markup));
        Assert.Empty(Details(page));
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
