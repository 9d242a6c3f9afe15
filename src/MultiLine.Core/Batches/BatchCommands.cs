using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>The result of an admin's command on a batch.</summary>
public sealed record BatchCommandResult(bool Succeeded, string? Error)
{
    public static readonly BatchCommandResult Done = new(true, null);
}

/// <summary>Commands on existing batches. Writes go through conditional updates, never read-then-write.</summary>
public static class BatchCommands
{
    /// <summary>
    /// Asks the worker to stop the batch: rows already done stay done; the rest are Skipped ("cancelled").
    /// The context's scope decides whether the admin may see the batch at all.
    /// </summary>
    public static async Task<BatchCommandResult> RequestCancelAsync(MultiLineDbContext db, int batchId, string adminName, BatchQueue queue, CancellationToken cancellationToken = default)
    {
        var updated = await db.Batches
            .Where(b => b.Id == batchId && (b.State == BatchState.Queued || b.State == BatchState.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.CancelRequested, true).SetProperty(b => b.CancelledBy, adminName), cancellationToken);
        if (updated == 1)
        {
            queue.Enqueue(batchId);
            return BatchCommandResult.Done;
        }
        var batch = await db.Batches.AsNoTracking().Where(b => b.Id == batchId).Select(b => new { b.State }).SingleOrDefaultAsync(cancellationToken);
        return batch is null
            ? new BatchCommandResult(false, "That batch does not exist.")
            : new BatchCommandResult(false, $"The batch is already {BatchStates.Label(batch.State).ToLowerInvariant()}; there is nothing to cancel.");
    }
}
