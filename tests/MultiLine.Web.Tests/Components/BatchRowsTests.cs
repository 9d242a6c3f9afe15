using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MultiLine.Core.Batches;
using MultiLine.Web.Reports;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>The batch page's rows: every row a page at a time, an outcome filter and a search kept in the address, live while the batch runs.</summary>
public sealed class BatchRowsTests : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly PortalFixture _portal;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
    private readonly BunitContext _context;

    public BatchRowsTests(PortalFixture portal)
    {
        _portal = portal;
        _context = PortalTestContext.Create(portal.Factory);
        _context.Services.AddSingleton<TimeProvider>(_clock);
        _context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private NavigationManager Navigation => _context.Services.GetRequiredService<NavigationManager>();

    private BatchProgressNotifier Notifier => _portal.Factory.Services.GetRequiredService<BatchProgressNotifier>();

    /// <summary>60 rows (spreadsheet rows 2–61): every tenth failed, every fifteenth skipped, the rest succeeded; or all pending.</summary>
    private async Task<int> AddBatchAsync(bool running = false)
    {
        await using var db = _portal.Factory.CreateDbContext();
        var organization = await db.Organizations.FirstAsync(o => o.Name == "Acme Sales", Ct);
        var now = _clock.GetUtcNow().UtcDateTime;
        var batch = new BatchOperation
        {
            Kind = BatchKind.Import, State = running ? BatchState.Running : BatchState.CompletedWithErrors, AdminName = "Test",
            OrganizationId = organization.Id, TotalRows = 60, CreatedAtUtc = now, StartedAtUtc = now, FinishedAtUtc = running ? null : now,
            // Claimed by another worker for long: this test's portal leaves it alone.
            ClaimedBy = "another-instance", ClaimExpiresAtUtc = now.AddHours(1),
        };
        for (var i = 1; i <= 60; i++)
        {
            var outcome = running ? RowOutcome.Pending : i % 10 == 0 ? RowOutcome.Failed : i % 15 == 0 ? RowOutcome.Skipped : RowOutcome.Succeeded;
            batch.Rows.Add(new BatchRow
            {
                RowNumber = i + 1, FirstName = $"First{i}", LastName = i == 42 ? "Lovelace" : $"Last{i}",
                Username = i == 7 ? "ada_100%@sales.acme.example" : $"user{i}@sales.acme.example", Number = outcome == RowOutcome.Succeeded ? $"+1555010{i:D4}" : null,
                Outcome = outcome, ProcessedAtUtc = running ? null : now,
                Reason = outcome switch
                {
                    RowOutcome.Failed => $"The username user{i}@sales.acme.example is already in use.",
                    RowOutcome.Skipped => "Not processed: the batch was cancelled.",
                    _ => null,
                },
            });
        }
        batch.Succeeded = batch.Rows.Count(r => r.Outcome == RowOutcome.Succeeded);
        batch.Failed = batch.Rows.Count(r => r.Outcome == RowOutcome.Failed);
        batch.Skipped = batch.Rows.Count(r => r.Outcome == RowOutcome.Skipped);
        db.Batches.Add(batch);
        await db.SaveChangesAsync(Ct);
        return batch.Id;
    }

    private IRenderedComponent<BatchDetailPage> RenderAt(int batchId, string query = "")
    {
        Navigation.NavigateTo($"reports/{batchId}{query}");
        var page = _context.Render<BatchDetailPage>(p => p.Add(c => c.BatchId, batchId));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".ml-batch-rows")));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".ml-batch-rows .mud-table-loading")));
        return page;
    }

    private static List<string> RowNumbers(IRenderedComponent<BatchDetailPage> page) =>
        page.FindAll(".ml-batch-rows tbody tr.mud-table-row").Select(row => row.QuerySelectorAll("td")[0].TextContent.Trim()).ToList();

    private static string Pager(IRenderedComponent<BatchDetailPage> page) => page.Find(".ml-batch-rows .mud-table-pagination").TextContent.Trim();

    [Fact]
    public async Task TheBatchPageListsEveryRowAPageAtATimeInInputOrder()
    {
        var batchId = await AddBatchAsync();

        var page = RenderAt(batchId);

        page.WaitForAssertion(() => Assert.Equal(Enumerable.Range(2, 25).Select(n => n.ToString()), RowNumbers(page)));
        Assert.Contains("of 60", Pager(page));
        Assert.Empty(page.FindAll(".ml-recent-rows"));
    }

    [Fact]
    public async Task AnAddressWithOutcomeFailedListsOnlyTheFailedRowsWithTheirReasons()
    {
        var batchId = await AddBatchAsync();

        var page = RenderAt(batchId, "?outcome=Failed");

        page.WaitForAssertion(() => Assert.Equal(["11", "21", "31", "41", "51", "61"], RowNumbers(page)));
        Assert.Contains("The username user10@sales.acme.example is already in use.", page.Find(".ml-batch-rows tbody").TextContent);
        Assert.Contains("Failed", page.Find(".ml-batch-rows .mud-chip-selected").TextContent);
    }

    [Theory]
    [InlineData("LOVELACE", "43")]          // name
    [InlineData("user33@", "34")]           // username
    [InlineData("5550100012", "13")]        // number
    [InlineData("already in use", "11,21,31,41,51,61")] // reason
    [InlineData("100%", "8")]               // a wildcard is the character it is
    public async Task SearchFindsRowsByUsernameNameNumberOrReasonAndPutsTheTextInTheAddress(string text, string rows)
    {
        var batchId = await AddBatchAsync();
        var page = RenderAt(batchId);

        page.Find("#batch-rows-search").Change(text);

        page.WaitForAssertion(() => Assert.Equal(rows.Split(','), RowNumbers(page)));
        Assert.EndsWith($"reports/{batchId}?q={Uri.EscapeDataString(text)}", Navigation.Uri);
    }

    [Fact]
    public async Task ChoosingAnOutcomeKeepsTheSearchAndPutsBothInTheAddress()
    {
        var batchId = await AddBatchAsync();
        var page = RenderAt(batchId, "?q=First4");

        page.ClickOn(() => page.FindAll(".ml-batch-rows .mud-chip").First(chip => chip.TextContent.Contains("Skipped")));

        page.WaitForAssertion(() => Assert.Equal(["46"], RowNumbers(page)));
        Assert.EndsWith($"reports/{batchId}?q=First4&outcome=Skipped", Navigation.Uri);
    }

    [Fact]
    public async Task NothingMatchingSaysWhatWasAskedForAndOffersAllRows()
    {
        var batchId = await AddBatchAsync();

        var page = RenderAt(batchId, "?outcome=Skipped&q=Lovelace");

        page.WaitForAssertion(() => Assert.Contains("No rows match “Lovelace” and the outcome Skipped", page.Markup));
        Assert.Equal($"reports/{batchId}", page.Find(".ml-batch-rows a.mud-link").GetAttribute("href"));
    }

    [Fact]
    public async Task WhileTheBatchRunsItsRowsReloadAsTheyAreProcessedAtMostOncePerInterval()
    {
        var batchId = await AddBatchAsync(running: true);
        var page = RenderAt(batchId, "?outcome=Succeeded");
        page.WaitForAssertion(() => Assert.Contains("No rows match the outcome Succeeded", page.Markup));

        // The worker (here the test) processes three rows and says so.
        await using (var db = _portal.Factory.CreateDbContext())
        {
            await db.BatchRows.Where(r => r.BatchOperationId == batchId && r.RowNumber <= 4)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.Outcome, RowOutcome.Succeeded).SetProperty(x => x.ProcessedAtUtc, DateTime.UtcNow), Ct);
        }
        for (var row = 2; row <= 4; row++)
            Notifier.Publish(new RowProcessed(batchId, row, RowOutcome.Succeeded, null, $"user{row - 1}@sales.acme.example", null, new BatchCounts(60, row - 1, 0, 0)));

        _clock.Advance(BatchRowsTable.LiveRefreshInterval - TimeSpan.FromMilliseconds(1));
        Assert.Empty(RowNumbers(page));
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        page.WaitForAssertion(() => Assert.Equal(["2", "3", "4"], RowNumbers(page)));
        // The live counts above keep working beside the table.
        page.WaitForAssertion(() => Assert.Equal("3 of 60 rows", page.Find(".ml-progress-head .mud-typography-body1").TextContent.Trim()));
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
