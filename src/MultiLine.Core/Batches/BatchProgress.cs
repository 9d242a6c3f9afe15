namespace MultiLine.Core.Batches;

/// <summary>Running totals of a batch.</summary>
public sealed record BatchCounts(int Total, int Succeeded, int Failed, int Skipped)
{
    public int Processed => Succeeded + Failed + Skipped;
    public double Percent => Total == 0 ? 100 : Math.Round(100.0 * Processed / Total, 1);

    public static BatchCounts Of(BatchOperation batch) => new(batch.TotalRows, batch.Succeeded, batch.Failed, batch.Skipped);
}

/// <summary>Something that happened to a batch. Sent in order: state changes, one event per row, then the final state.</summary>
public abstract record BatchEvent(int BatchId);

/// <summary>One row got its outcome. <see cref="Counts"/> are the totals right after it.</summary>
public sealed record RowProcessed(int BatchId, int RowNumber, RowOutcome Outcome, string? Reason, string? Username, string? Number, BatchCounts Counts) : BatchEvent(BatchId);

/// <summary>The batch started, finished, failed or was cancelled.</summary>
public sealed record BatchStateChanged(int BatchId, BatchState State, BatchCounts Counts, string? FailureReason, DateTime? StartedAtUtc, DateTime? FinishedAtUtc) : BatchEvent(BatchId);

/// <summary>
/// In-process fan-out of batch events to whoever watches: Blazor pages and the SignalR bridge. Subscriptions are
/// disposable; a failing subscriber never disturbs the worker or the other subscribers.
/// </summary>
public sealed class BatchProgressNotifier
{
    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = new([]);

    /// <summary>Watches one batch, or every batch when <paramref name="batchId"/> is null.</summary>
    public IDisposable Subscribe(int? batchId, Action<BatchEvent> handler)
    {
        var subscription = new Subscription(this, batchId, handler);
        lock (_gate)
            _subscribers = new([.. _subscribers.Items, subscription]);
        return subscription;
    }

    public void Publish(BatchEvent batchEvent)
    {
        foreach (var subscriber in _subscribers.Items)
        {
            if (subscriber.BatchId is { } id && id != batchEvent.BatchId)
                continue;
            try
            {
                subscriber.Handler(batchEvent);
            }
            catch (Exception)
            {
                // A watcher's failure is the watcher's problem; the batch goes on.
            }
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
            _subscribers = new(_subscribers.Items.Where(s => s != subscription).ToArray());
    }

    private sealed record ImmutableSubscribers(Subscription[] Items);

    private sealed class Subscription(BatchProgressNotifier owner, int? batchId, Action<BatchEvent> handler) : IDisposable
    {
        public int? BatchId { get; } = batchId;
        public Action<BatchEvent> Handler { get; } = handler;
        public void Dispose() => owner.Remove(this);
    }
}
