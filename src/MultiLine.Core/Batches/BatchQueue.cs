using System.Threading.Channels;

namespace MultiLine.Core.Batches;

/// <summary>Wakes the hosted batch service when a batch is submitted. Only a hint: the database stays the source of truth.</summary>
public sealed class BatchQueue
{
    private readonly Channel<int> _channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = false });

    /// <summary>A batch was submitted on this instance; the relay tells the other instances' workers too.</summary>
    public void Enqueue(int batchId)
    {
        _channel.Writer.TryWrite(batchId);
        Submitted?.Invoke(batchId);
    }

    /// <summary>Another instance submitted a batch (brought by the relay): wakes this instance's worker only.</summary>
    public void Wake(int batchId) => _channel.Writer.TryWrite(batchId);

    /// <summary>Raised by <see cref="Enqueue"/>.</summary>
    public event Action<int>? Submitted;

    public IAsyncEnumerable<int> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}
