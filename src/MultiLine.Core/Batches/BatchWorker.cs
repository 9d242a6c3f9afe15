using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>
/// The hosted service that runs batches. Woken by <see cref="BatchQueue"/>; at start-up and every few seconds it
/// also looks in the database for batches left Queued or Running (after a restart, or queued by another instance).
/// One bad batch fails alone; the service keeps going.
/// </summary>
public sealed class BatchWorker(
    IServiceScopeFactory scopes,
    SystemDbContextFactory factory,
    BatchQueue queue,
    IOptions<BatchOptions> options,
    TimeProvider clock,
    ILogger<BatchWorker> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<int, byte> _running = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var consumers = Enumerable.Range(0, options.Value.MaxConcurrentBatches)
            .Select(_ => ConsumeAsync(stoppingToken))
            .ToList();
        consumers.Add(PollAsync(stoppingToken));
        await Task.WhenAll(consumers);
    }

    private async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var batchId in queue.ReadAllAsync(stoppingToken))
            {
                if (!_running.TryAdd(batchId, 0))
                    continue;
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<BatchProcessor>().RunAsync(batchId, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(exception, "Batch {BatchId} could not be run.", batchId);
                }
                finally
                {
                    _running.TryRemove(batchId, out _);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.PollSeconds), clock);
        try
        {
            do
            {
                try
                {
                    foreach (var batchId in await FindRunnableAsync(stoppingToken))
                        queue.Enqueue(batchId);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(exception, "Looking for batches to run failed; trying again shortly.");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<List<int>> FindRunnableAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var me = options.Value.WorkerId;
        await using var db = await factory.CreateAsync(cancellationToken);
        return await db.Batches
            .Where(b => b.State == BatchState.Queued
                || (b.State == BatchState.Running && (b.ClaimedBy == me || b.ClaimExpiresAtUtc < now)))
            .OrderBy(b => b.Id)
            .Select(b => b.Id)
            .ToListAsync(cancellationToken);
    }
}
