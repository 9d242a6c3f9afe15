using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
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
    public static async Task<BatchCommandResult> RequestCancelAsync(MultiLineDbContext db, int batchId, ActivityActor actor, BatchQueue queue, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var adminName = actor.BatchAdminName;
        var updated = await db.Batches
            .Where(b => b.Id == batchId && !b.CancelRequested && (b.State == BatchState.Queued || b.State == BatchState.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.CancelRequested, true).SetProperty(b => b.CancelledBy, adminName), cancellationToken);
        if (updated == 1)
        {
            // The request and its record commit together; asking again while the worker stops it changes nothing and records nothing.
            var batch = await db.Batches.AsNoTracking().SingleAsync(b => b.Id == batchId, cancellationToken);
            ActivityLog.RecordBatch(db, actor, clock.GetUtcNow().UtcDateTime, ActivityActions.BatchCancel, batch,
                $"{BatchStates.Label(batch.Kind)}: cancelled with {Common.Words.Count(batch.Processed, "row")} of {batch.TotalRows} done");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            queue.Enqueue(batchId);
            return BatchCommandResult.Done;
        }
        var current = await db.Batches.AsNoTracking().Where(b => b.Id == batchId).Select(b => new { b.State, b.CancelRequested }).SingleOrDefaultAsync(cancellationToken);
        if (current is { CancelRequested: true } && !BatchStates.IsFinished(current.State))
            return BatchCommandResult.Done;
        return current is null
            ? new BatchCommandResult(false, "That batch does not exist.")
            : new BatchCommandResult(false, $"The batch is already {BatchStates.Label(current.State).ToLowerInvariant()}; there is nothing to cancel.");
    }
}
