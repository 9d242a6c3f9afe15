using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;
using MultiLine.Web.Reports;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>
/// The live progress of a batch, on a clock the test moves (what it says while running, how often it repaints, reading
/// the database when events stop), the batch page and the reports list.
/// </summary>
public sealed class BatchReportsTests : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly PortalFixture _portal;
    // Whole seconds, so the stored start times and the clock agree to the tick.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly BunitContext _context;
    // Every read of the views opens one context: counting them counts the reads.
    private readonly CountingFactory _reads;

    public BatchReportsTests(PortalFixture portal)
    {
        _portal = portal;
        _context = PortalTestContext.Create(portal.Factory);
        _context.Services.AddSingleton<TimeProvider>(_clock);
        _reads = new CountingFactory(portal.Factory.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>());
        _context.Services.AddSingleton<IDbContextFactory<MultiLineDbContext>>(_reads);
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

    private static string Head(IRenderedComponent<BatchProgressView> view) => view.Find(".ml-progress-head .mud-typography-body1").TextContent.Trim();

    private TimeSpan QuietPeriod => _portal.Factory.Services.GetRequiredService<IOptions<BatchOptions>>().Value.LiveFallbackPeriod;

    /// <summary>What a worker on another instance does to a batch, without any event reaching this one.</summary>
    private async Task AdvanceInDatabaseAsync(int batchId, int succeeded, BatchState? state = null)
    {
        await using var db = _portal.Factory.CreateDbContext();
        var batch = await db.Batches.SingleAsync(b => b.Id == batchId, Cancel);
        var now = _clock.GetUtcNow().UtcDateTime;
        for (var row = batch.Succeeded + 1; row <= succeeded; row++)
            db.BatchRows.Add(new BatchRow
            {
                BatchOperationId = batchId, RowNumber = row + 1, Username = $"row{row + 1}@sales.acme.example",
                Outcome = RowOutcome.Succeeded, ProcessedAtUtc = now,
            });
        batch.Succeeded = succeeded;
        if (state is { } final)
        {
            batch.State = final;
            batch.FinishedAtUtc = now;
        }
        await db.SaveChangesAsync(Cancel);
    }

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

        // The repaint is due on the view's clock: the fake clock moves no further, so only the render it dispatched (on
        // the renderer's own thread, a moment later on a busy machine) is waited for.
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        view.WaitForAssertion(() => Assert.Equal("50", view.Find("[aria-label='Batch progress']").GetAttribute("aria-valuenow")));
        Assert.InRange(view.RenderCount - renders, 1, MostCountsOfOneRepaint);

        for (var row = 501; row <= 1000; row++)
            Notifier.Publish(Row(batchId, row, 1000, row));
        _clock.Advance(BatchProgressView.RepaintInterval);
        view.WaitForAssertion(() => Assert.Equal("100", view.Find("[aria-label='Batch progress']").GetAttribute("aria-valuenow")));
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
    public async Task WhenEventsStopTheViewReadsTheBatchFromTheDatabaseEveryQuietPeriodUntilItFinishes()
    {
        var batchId = await AddBatchAsync(BatchState.Running, total: 10, processed: 0, ranFor: TimeSpan.FromSeconds(3));
        var view = Render(batchId);
        Assert.Equal("0 of 10 rows", Head(view));
        var reads = _reads.Created;

        // Another instance's worker moves on; its events never arrive here.
        await AdvanceInDatabaseAsync(batchId, succeeded: 4);
        _clock.Advance(QuietPeriod - TimeSpan.FromMilliseconds(1));
        Assert.Equal(reads, _reads.Created);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        view.WaitForAssertion(() =>
        {
            Assert.Equal("4 of 10 rows", Head(view));
            Assert.Equal("40", view.Find("[aria-label='Batch progress']").GetAttribute("aria-valuenow"));
            Assert.Equal("40%", view.Find(".ml-progress-percent").TextContent.Trim());
            Assert.Equal(4, view.FindAll(".ml-recent-rows tbody tr").Count);
        });
        Assert.Equal(reads + 1, _reads.Created);
        // Calm: no warning for the admin, the view just moves on.
        Assert.Empty(view.FindAll(".mud-alert, .mud-snackbar"));

        // Still no events: it reads again every quiet period, up to the end of the batch.
        await AdvanceInDatabaseAsync(batchId, succeeded: 10, BatchState.Completed);
        _clock.Advance(QuietPeriod);
        view.WaitForAssertion(() =>
        {
            Assert.Equal("10 of 10 rows", Head(view));
            Assert.StartsWith("Done in", Pace(view));
        });
        Assert.Equal(reads + 2, _reads.Created);

        // A finished batch is not read again.
        _clock.Advance(3 * QuietPeriod);
        Assert.Equal(reads + 2, _reads.Created);
    }

    [Fact]
    public async Task WhileEventsKeepComingTheViewDoesNotReadTheDatabaseAndItDoesAQuietPeriodAfterTheLastOne()
    {
        var batchId = await AddBatchAsync(BatchState.Running, total: 10, processed: 1, ranFor: TimeSpan.FromSeconds(1));
        var view = Render(batchId);
        var reads = _reads.Created;
        // The database is further on than the events say: a read would show it.
        await AdvanceInDatabaseAsync(batchId, succeeded: 8);

        // An event every three fifths of a quiet period, for more than two quiet periods.
        var step = QuietPeriod * 0.6;
        for (var row = 2; row <= 5; row++)
        {
            Notifier.Publish(Row(batchId, row + 1, 10, row));
            _clock.Advance(step);
        }

        view.WaitForAssertion(() => Assert.Equal("5 of 10 rows", Head(view)));
        Assert.Equal(reads, _reads.Created);

        // The events stop: a quiet period after the last one, the database.
        _clock.Advance(QuietPeriod - step);
        view.WaitForAssertion(() => Assert.Equal("8 of 10 rows", Head(view)));
        Assert.Equal(reads + 1, _reads.Created);
    }

    [Fact]
    public void ASnapshotReadAgainAfterNewerEventsNeverTakesTheBatchBack()
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var running = new BatchSummary(1, BatchKind.Import, BatchState.Running, "Acme Sales", 1, "Test", null, now, now, null, new BatchCounts(4, 1, 0, 0), null);
        var state = new BatchLiveState(_clock);
        state.Apply(new BatchSnapshot(running, []));

        state.Apply(new BatchStateChanged(1, BatchState.Completed, new BatchCounts(4, 4, 0, 0), null, now, now));
        state.Apply(new BatchSnapshot(running with { Counts = new BatchCounts(4, 3, 0, 0) }, []));

        Assert.True(state.IsFinished);
        Assert.Equal(BatchState.Completed, state.Batch!.State);
        Assert.Equal(new BatchCounts(4, 4, 0, 0), state.Counts);
        Assert.Equal(state.Counts, state.Batch.Counts);
    }

    [Fact]
    public async Task WhenEventsStopTheReportsListReadsItsRunningBatchesAgainAfterTheQuietPeriod()
    {
        var file = $"quiet-{Guid.NewGuid().ToString("N")[..8]}.csv";
        var batchId = await AddBatchAsync(BatchState.Running, total: 10, processed: 1, ranFor: TimeSpan.FromSeconds(2), fileName: file);
        var page = _context.Render<BatchReportsPage>();
        string Rows() => page.FindAll("tbody tr").Single(r => r.TextContent.Contains(file)).QuerySelectorAll("td")[5].TextContent.Trim();
        page.WaitForAssertion(() => Assert.Equal("1 / 10", Rows()));

        await AdvanceInDatabaseAsync(batchId, succeeded: 7);
        _clock.Advance(QuietPeriod);

        page.WaitForAssertion(() => Assert.Equal("7 / 10", Rows()));
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

    private sealed class CountingFactory(IDbContextFactory<MultiLineDbContext> inner) : IDbContextFactory<MultiLineDbContext>
    {
        private int _created;
        public int Created => Volatile.Read(ref _created);

        public MultiLineDbContext CreateDbContext()
        {
            Interlocked.Increment(ref _created);
            return inner.CreateDbContext();
        }

        public Task<MultiLineDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _created);
            return inner.CreateDbContextAsync(cancellationToken);
        }
    }
}
