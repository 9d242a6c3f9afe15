using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MultiLine.Core.Batches;
using MultiLine.Web.Reports;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>
/// The live progress of a batch, on a clock the test moves (what it says while running, how often it repaints), the
/// batch page and the reports list.
/// </summary>
public sealed class BatchReportsTests : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly PortalFixture _portal;
    // Whole seconds, so the stored start times and the clock agree to the tick.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly BunitContext _context;

    public BatchReportsTests(PortalFixture portal)
    {
        _portal = portal;
        _context = PortalTestContext.Create(portal.Factory);
        _context.Services.AddSingleton<TimeProvider>(_clock);
        // The batch page tells browser tests when it is interactive.
        _context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }
    private static CancellationToken Cancel => Xunit.TestContext.Current.CancellationToken;

    private BatchProgressNotifier Notifier => _portal.Factory.Services.GetRequiredService<BatchProgressNotifier>();

    private async Task<int> AddBatchAsync(BatchState state, int total, int processed, TimeSpan? ranFor = null, TimeSpan? took = null, string? fileName = null)
    {
        await using var db = _portal.Factory.CreateDbContext();
        var organization = await db.Organizations.FirstAsync(o => o.Name == "Acme Sales", Cancel);
        var now = _clock.GetUtcNow().UtcDateTime;
        var started = now - (ranFor ?? TimeSpan.Zero);
        var batch = new BatchOperation
        {
            Kind = BatchKind.Import, State = state, AdminName = "Test", OrganizationId = organization.Id, FileName = fileName,
            TotalRows = total, Succeeded = processed, CreatedAtUtc = started, StartedAtUtc = started,
            FinishedAtUtc = took is { } t ? started + t : null,
            // Claimed by another worker for long: this test's portal leaves it alone.
            ClaimedBy = "another-instance", ClaimExpiresAtUtc = now.AddHours(1),
        };
        db.Batches.Add(batch);
        await db.SaveChangesAsync(Cancel);
        return batch.Id;
    }

    private IRenderedComponent<BatchProgressView> Render(int batchId)
    {
        var view = _context.Render<BatchProgressView>(p => p.Add(c => c.BatchId, batchId));
        view.WaitForAssertion(() => view.Find("[aria-label='Batch progress']"));
        return view;
    }

    private static string Pace(IRenderedComponent<BatchProgressView> view) => view.Find(".ml-progress-pace").TextContent.Trim();

    private static RowProcessed Row(int batchId, int row, int total, int succeeded) =>
        new(batchId, row, RowOutcome.Succeeded, null, $"row{row}@sales.acme.example", null, new BatchCounts(total, succeeded, 0, 0));

    [Fact]
    public async Task AThousandRowEventsRepaintTheViewEveryTenthOfASecondNotOnceARow()
    {
        var batchId = await AddBatchAsync(BatchState.Running, total: 1000, processed: 0);
        var view = Render(batchId);
        var renders = view.RenderCount;
        // A repaint re-renders the view's MudBlazor children too, so a few render counts make one repaint.
        const int MostCountsOfOneRepaint = 20;

        for (var row = 1; row <= 500; row++)
            Notifier.Publish(Row(batchId, row, 1000, row));
        _clock.Advance(TimeSpan.FromMilliseconds(99));

        Assert.Equal(renders, view.RenderCount);
        Assert.Equal("0", view.Find("[aria-label='Batch progress']").GetAttribute("aria-valuenow"));

        // The repaint is due on the view's clock, not some time later: no waiting.
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("50", view.Find("[aria-label='Batch progress']").GetAttribute("aria-valuenow"));
        Assert.InRange(view.RenderCount - renders, 1, MostCountsOfOneRepaint);

        for (var row = 501; row <= 1000; row++)
            Notifier.Publish(Row(batchId, row, 1000, row));
        _clock.Advance(BatchProgressView.RepaintInterval);
        Assert.Equal("100", view.Find("[aria-label='Batch progress']").GetAttribute("aria-valuenow"));
        Assert.InRange(view.RenderCount - renders, 2, 2 * MostCountsOfOneRepaint);
        Assert.Equal("1,000 of 1,000 rows", view.Find(".ml-progress-head .mud-typography-body1").TextContent.Trim());
    }

    [Fact]
    public async Task ARunningBatchShowsItsTimeSoFarTickingAndItsPaceNeverStartingAgain()
    {
        var batchId = await AddBatchAsync(BatchState.Running, total: 4, processed: 2, ranFor: TimeSpan.FromSeconds(3));

        var view = Render(batchId);

        Assert.Equal("0:03 elapsed", Pace(view));
        _clock.Advance(TimeSpan.FromSeconds(1));
        view.WaitForAssertion(() => Assert.Equal("0:04 elapsed", Pace(view)));

        Notifier.Publish(Row(batchId, 4, 4, 3));
        _clock.Advance(BatchProgressView.RepaintInterval);
        view.WaitForAssertion(() => Assert.Equal("0:04 elapsed · 1 row/s · about 1 s left", Pace(view)));
        Assert.Equal("3 of 4 rows", view.Find(".ml-progress-head .mud-typography-body1").TextContent.Trim());
    }

    [Fact]
    public async Task ABatchSaysStartingOnlyUntilItsFirstRowAndUnderASecondOnlyWhenItReallyFinishedThatFast()
    {
        var starting = Render(await AddBatchAsync(BatchState.Running, total: 1, processed: 0, ranFor: TimeSpan.FromMilliseconds(300)));
        Assert.Equal("Starting…", Pace(starting));
        Assert.Equal("0 of 1 row", starting.Find(".ml-progress-head .mud-typography-body1").TextContent.Trim());

        var fast = Render(await AddBatchAsync(BatchState.Completed, total: 1, processed: 1, ranFor: TimeSpan.FromSeconds(5), took: TimeSpan.FromMilliseconds(400)));
        Assert.Equal("Done in under a second", Pace(fast));
    }

    [Fact]
    public async Task ThePercentageIsWrittenBesideTheBarNotOnIt()
    {
        var view = Render(await AddBatchAsync(BatchState.Running, total: 20, processed: 1, ranFor: TimeSpan.FromSeconds(1)));

        var label = view.Find(".ml-progress-percent");
        Assert.Equal("5%", label.TextContent.Trim());
        Assert.Null(label.Closest(".mud-progress-linear"));
        Assert.Empty(view.Find(".mud-progress-linear").QuerySelectorAll(".mud-typography"));
    }

    [Fact]
    public async Task TheReportsListShowsARunningBatchsTimeSoFarAndUnderASecondOnlyForOneThatFinishedSoFast()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        await AddBatchAsync(BatchState.Completed, total: 1, processed: 1, ranFor: TimeSpan.FromSeconds(9), took: TimeSpan.FromMilliseconds(400), fileName: $"fast-{marker}.csv");
        await AddBatchAsync(BatchState.Running, total: 10, processed: 0, ranFor: TimeSpan.FromMilliseconds(400), fileName: $"running-{marker}.csv");

        var page = _context.Render<BatchReportsPage>();

        string Duration(string file) => page.FindAll("tbody tr").Single(r => r.TextContent.Contains(file)).QuerySelectorAll("td")[4].TextContent.Trim();
        page.WaitForAssertion(() => Assert.Equal("0:00", Duration($"running-{marker}.csv")));
        Assert.Equal("under a second", Duration($"fast-{marker}.csv"));
        _clock.Advance(TimeSpan.FromSeconds(2));
        page.WaitForAssertion(() => Assert.Equal("0:02", Duration($"running-{marker}.csv")));
    }

    [Fact]
    public void ABatchThatIsNotFoundOffersNoReportToDownload()
    {
        var page = _context.Render<BatchDetailPage>(p => p.Add(c => c.BatchId, int.MaxValue));

        page.WaitForAssertion(() => Assert.Contains("Batch not found", page.Markup));
        Assert.DoesNotContain(page.FindAll("a, button"), e => e.TextContent.Contains("Download", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ABatchOffersItsReportAndWhileItRunsSaysTheReportIsPartial()
    {
        var finished = await AddBatchAsync(BatchState.Completed, total: 2, processed: 2, ranFor: TimeSpan.FromSeconds(4), took: TimeSpan.FromSeconds(3));
        var running = await AddBatchAsync(BatchState.Running, total: 2, processed: 1, ranFor: TimeSpan.FromSeconds(4));

        var done = _context.Render<BatchDetailPage>(p => p.Add(c => c.BatchId, finished));
        var partial = _context.Render<BatchDetailPage>(p => p.Add(c => c.BatchId, running));

        done.WaitForAssertion(() => Assert.Equal($"batches/{finished}/report.csv", done.FindAll("a").Single(a => a.TextContent.Trim() == "Download report").GetAttribute("href")));
        partial.WaitForAssertion(() => Assert.Equal($"batches/{running}/report.csv", partial.FindAll("a").Single(a => a.TextContent.Trim() == "Download partial report").GetAttribute("href")));
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
