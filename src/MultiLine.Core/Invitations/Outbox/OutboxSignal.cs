namespace MultiLine.Core.Invitations.Outbox;

/// <summary>Wakes the <see cref="OutboxSender"/> when new messages were saved, so it need not wait for its next poll.</summary>
public sealed class OutboxSignal
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
