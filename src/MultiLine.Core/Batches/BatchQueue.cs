using System.Threading.Channels;

namespace MultiLine.Core.Batches;

/// <summary>Wakes the hosted batch service when a batch is submitted. Only a hint: the database stays the source of truth.</summary>
public sealed class BatchQueue
{
    private readonly Channel<int> _channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = false });

    public void Enqueue(int batchId) => _channel.Writer.TryWrite(batchId);

    public IAsyncEnumerable<int> ReadAllAsync(CancellationToken cancellationToken) => _channel.Reader.ReadAllAsync(cancellationToken);
}
