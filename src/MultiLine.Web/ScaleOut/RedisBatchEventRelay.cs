using MultiLine.Core.Batches;
using StackExchange.Redis;

namespace MultiLine.Web.ScaleOut;

/// <summary>Batch events between instances over Redis pub/sub, on the instance's shared connection.</summary>
internal sealed class RedisBatchEventRelay(RedisConnection redis, BatchProgressNotifier notifier, BatchQueue queue, ILogger<RedisBatchEventRelay> logger)
    : BatchEventRelay(notifier, queue, logger)
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("multiline:batch-events");

    protected override string Transport => "Redis pub/sub";

    protected override async Task SendAsync(IReadOnlyList<string> messages, CancellationToken cancellationToken)
    {
        var subscriber = (await redis.GetAsync()).GetSubscriber();
        // Pipelined: all go out on the one connection, in order, then the replies are awaited together.
        await Task.WhenAll(messages.Select(message => subscriber.PublishAsync(Channel, message)));
    }

    protected override async Task ListenAsync(Action<string> received, CancellationToken cancellationToken)
    {
        var subscriber = (await redis.GetAsync()).GetSubscriber();
        // One ordered queue; the multiplexer subscribes again by itself after a reconnect.
        var queue = await subscriber.SubscribeAsync(Channel);
        try
        {
            await foreach (var message in queue.WithCancellation(cancellationToken))
                received(message.Message.ToString());
        }
        finally
        {
            await queue.UnsubscribeAsync();
        }
    }
}
