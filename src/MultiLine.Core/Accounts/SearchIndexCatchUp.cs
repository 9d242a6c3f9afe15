using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

/// <summary>How the accounts' search index catches up with new accounts (SQLite; see docs/adr-search-index.md).</summary>
public sealed class SearchIndexOptions
{
    public const string Section = "SearchIndex";

    /// <summary>How often the index looks for accounts it does not hold yet.</summary>
    [Range(50, 60_000)]
    public int IntervalMilliseconds { get; set; } = 1000;

    /// <summary>
    /// Accounts indexed in one transaction: large enough that the full-text table writes few, large segments (fewer
    /// merges), small enough that a batch waiting for the write lock waits well under a second.
    /// </summary>
    [Range(100, 1_000_000)]
    public int RowsPerTransaction { get; set; } = 10_000;

    /// <summary>
    /// While a batch is processing rows the catch-up waits, so the import does not share the write lock with it; after
    /// this long it indexes one transaction's worth anyway, so the part of the search that scans stays small.
    /// </summary>
    [Range(0, 3600)]
    public int MaxWaitSeconds { get; set; } = 30;
}

/// <summary>
/// Hosted service that brings the accounts' search index up to date through <see cref="IDatabaseEngine.IndexNewAccountsAsync"/>.
/// Search results never depend on it (the engine's search reads the accounts above the index's mark directly); it only
/// keeps that part small. It waits while rows of a batch are being processed on this instance and works in between.
/// </summary>
public sealed class SearchIndexCatchUp(
    SystemDbContextFactory factory,
    BatchProgressNotifier notifier,
    IOptions<SearchIndexOptions> options,
    TimeProvider clock,
    ILogger<SearchIndexCatchUp> logger) : BackgroundService
{
    private long _lastBatchEvent;
    private IDisposable? _events;
    private PeriodicTimer? _timer;

    /// <summary>Listens and starts the clock before the host goes on (ExecuteAsync runs in the background).</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _events = notifier.Subscribe(null, _ => Interlocked.Exchange(ref _lastBatchEvent, clock.GetTimestamp()), EventOrigin.ThisInstance);
        _timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.IntervalMilliseconds), clock);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var interval = _timer!.Period;
        long waitingSince = 0;
        try
        {
            while (await _timer.WaitForNextTickAsync(stoppingToken))
            {
                var lastEvent = Interlocked.Read(ref _lastBatchEvent);
                var batchBusy = lastEvent != 0 && clock.GetElapsedTime(lastEvent) < interval;
                if (batchBusy)
                {
                    if (waitingSince == 0)
                        waitingSince = clock.GetTimestamp();
                    if (clock.GetElapsedTime(waitingSince) < TimeSpan.FromSeconds(settings.MaxWaitSeconds))
                        continue;
                }
                waitingSince = 0;
                await CatchUpAsync(settings.RowsPerTransaction, batchBusy, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _events?.Dispose();
        _timer?.Dispose();
        base.Dispose();
    }

    /// <summary>Indexes until nothing is left (or, while a batch runs, one transaction's worth).</summary>
    private async Task CatchUpAsync(int rowsPerTransaction, bool once, CancellationToken stoppingToken)
    {
        try
        {
            int indexed;
            do
            {
                await using var db = await factory.CreateAsync(stoppingToken);
                if (db.Engine is not { } engine)
                    return;
                indexed = await engine.IndexNewAccountsAsync(db, rowsPerTransaction, stoppingToken);
                if (indexed > 0)
                    logger.LogDebug("Indexed {Count} new accounts for search.", indexed);
            }
            while (indexed == rowsPerTransaction && !once && !stoppingToken.IsCancellationRequested);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            // The search stays exact without the index; the next tick tries again (a busy database, most likely).
            logger.LogWarning(exception, "The accounts' search index could not catch up; it will try again.");
        }
    }
}
