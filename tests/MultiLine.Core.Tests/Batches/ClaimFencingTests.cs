using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Batches;

/// <summary>Two hosts, one database: a worker that lost its claim on a batch stops before touching another row.</summary>
public sealed class ClaimFencingTests : IDisposable
{
    private readonly ImportWorld _world = new();

    [Fact]
    public async Task AWorkerThatStalledPastItsClaimStopsWhileTheWorkerThatTookOverFinishes()
    {
        var rows = Enumerable.Range(0, 60).Select(i => CsvFiles.Row($"fence{i}@acme.example"));
        var csv = CsvFiles.Lines([CsvFiles.Header, .. rows]);
        await using var a = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 10, workerId: "worker-a");

        // Worker A stalls right after committing its first group (outside any transaction), as a paused process would.
        var stalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new ManualResetEventSlim();
        var processedByAAfterResume = 0;
        using var watchA = a.Notifier.Subscribe(null, e =>
        {
            if (e is not RowProcessed row)
                return;
            if (resume.IsSet)
            {
                // The rest of A's first group (rows 2–11, committed before the stall) is still published; anything later is not A's.
                if (row.RowNumber > 11)
                    Interlocked.Increment(ref processedByAAfterResume);
                return;
            }
            stalled.TrySetResult();
            resume.Wait(TimeSpan.FromSeconds(60));
        });
        var batchId = await a.ImportAsync(csv, _world.Target());
        await stalled.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        // A's claim runs out; worker B on another host takes the batch over and finishes it.
        await using (var db = _world.Database.CreateDbContext())
            await db.Batches.Where(b => b.Id == batchId)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.ClaimExpiresAtUtc, DateTime.UtcNow.AddMinutes(-1)), TestContext.Current.CancellationToken);
        await using var b = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 10, workerId: "worker-b");
        var batch = await b.WaitUntilFinishedAsync(batchId);
        resume.Set();
        await Task.Delay(1500, TestContext.Current.CancellationToken);

        Assert.Equal((BatchState.Completed, 60, 0), (batch.State, batch.Succeeded, batch.Failed));
        Assert.Equal(0, processedByAAfterResume);
        await using var check = _world.Database.CreateDbContext();
        var finished = await check.Batches.SingleAsync(x => x.Id == batchId, TestContext.Current.CancellationToken);
        Assert.Equal((BatchState.Completed, 60, batch.FinishedAtUtc), (finished.State, finished.Succeeded, finished.FinishedAtUtc));
        Assert.Equal(60, await check.Accounts.CountAsync(x => x.Username.StartsWith("fence"), TestContext.Current.CancellationToken));
    }

    public void Dispose() => _world.Dispose();
}
