namespace MultiLine.Core.Common;

/// <summary>
/// Wakes a hosted sender of this process when work was queued here, so it need not wait for its next poll. Each sender
/// has its own subclass, so each is registered and injected on its own.
/// </summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { } // already signalled
    }

    /// <summary>Waits for <see cref="Notify"/> or the timeout. Returns whether it was notified.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
