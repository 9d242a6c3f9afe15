using System.Text.Json.Serialization;

namespace MultiLine.Core.Batches;

/// <summary>Running totals of a batch.</summary>
public sealed record BatchCounts(int Total, int Succeeded, int Failed, int Skipped)
{
    public int Processed => Succeeded + Failed + Skipped;
    public double Percent => Total == 0 ? 100 : Math.Round(100.0 * Processed / Total, 1);

    public static BatchCounts Of(BatchOperation batch) => new(batch.TotalRows, batch.Succeeded, batch.Failed, batch.Skipped);
}

/// <summary>Something that happened to a batch. Sent in order: state changes, one event per row, then the final state.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(RowProcessed), "row")]
[JsonDerivedType(typeof(BatchStateChanged), "state")]
public abstract record BatchEvent(int BatchId);

/// <summary>One row got its outcome. <see cref="Counts"/> are the totals right after it.</summary>
public sealed record RowProcessed(int BatchId, int RowNumber, RowOutcome Outcome, string? Reason, string? Username, string? Number, BatchCounts Counts) : BatchEvent(BatchId);

/// <summary>The batch started, finished, failed or was cancelled.</summary>
public sealed record BatchStateChanged(int BatchId, BatchState State, BatchCounts Counts, string? FailureReason, DateTime? StartedAtUtc, DateTime? FinishedAtUtc) : BatchEvent(BatchId);

/// <summary>Where a batch event happened, as a subscriber may want to tell apart.</summary>
public enum EventOrigin
{
    /// <summary>Events from this instance's worker and from every other instance.</summary>
    Any,

    /// <summary>Only events of batches this instance runs.</summary>
    ThisInstance,
}

/// <summary>
/// In-process fan-out of batch events to whoever watches: Blazor pages, the SignalR bridge and the relay that carries
/// them to other instances (<see cref="BatchEventRelay"/>). Subscriptions are disposable; a failing subscriber never
/// disturbs the worker or the other subscribers.
/// </summary>
public sealed class BatchProgressNotifier
{
    private readonly Lock _gate = new();
    private ImmutableSubscribers _subscribers = new([]);

    /// <summary>Watches one batch, or every batch when <paramref name="batchId"/> is null.</summary>
    public IDisposable Subscribe(int? batchId, Action<BatchEvent> handler, EventOrigin origin = EventOrigin.Any)
    {
        var subscription = new Subscription(this, batchId, handler, origin);
        lock (_gate)
            _subscribers = new([.. _subscribers.Items, subscription]);
        return subscription;
    }

    /// <summary>An event of a batch this instance runs.</summary>
    public void Publish(BatchEvent batchEvent) => Deliver(batchEvent, fromThisInstance: true);

    /// <summary>An event another instance published, brought here by the relay.</summary>
    public void PublishFromAnotherInstance(BatchEvent batchEvent) => Deliver(batchEvent, fromThisInstance: false);

    private void Deliver(BatchEvent batchEvent, bool fromThisInstance)
    {
        foreach (var subscriber in _subscribers.Items)
        {
            if (subscriber.BatchId is { } id && id != batchEvent.BatchId)
                continue;
            if (subscriber.Origin == EventOrigin.ThisInstance && !fromThisInstance)
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

    private sealed class Subscription(BatchProgressNotifier owner, int? batchId, Action<BatchEvent> handler, EventOrigin origin) : IDisposable
    {
        public int? BatchId { get; } = batchId;
        public Action<BatchEvent> Handler { get; } = handler;
        public EventOrigin Origin { get; } = origin;
        public void Dispose() => owner.Remove(this);
    }
}
