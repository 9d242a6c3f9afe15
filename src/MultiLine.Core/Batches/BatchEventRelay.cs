using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MultiLine.Core.Batches;

/// <summary>
/// Carries what happens to batches between instances: every event of a batch this instance runs goes out, every event
/// another instance sends comes in to this instance's <see cref="BatchProgressNotifier"/> (so a page on instance B
/// follows a batch that a worker on instance A runs), and a batch submitted here wakes the workers elsewhere.
/// Transports (Redis pub/sub, PostgreSQL LISTEN/NOTIFY) only move strings. Events are hints for live views: one lost
/// while a transport reconnects is made good by views reading the database, never by the worker waiting.
/// </summary>
public abstract class BatchEventRelay(BatchProgressNotifier notifier, BatchQueue queue, ILogger logger) : BackgroundService
{
    /// <summary>Told apart from the other instances' messages, which a transport may echo back to their sender.</summary>
    private readonly string _instance = Guid.NewGuid().ToString("N");
    private readonly Channel<string> _outgoing = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Most messages sent in one call, so a transport can pipeline them in one round trip.</summary>
    protected const int MaxMessagesPerSend = 200;

    /// <summary>Sends messages in order.</summary>
    protected abstract Task SendAsync(IReadOnlyList<string> messages, CancellationToken cancellationToken);

    /// <summary>Hands every message that arrives to <paramref name="received"/>, in order, until cancelled; throws when the connection is lost.</summary>
    protected abstract Task ListenAsync(Action<string> received, CancellationToken cancellationToken);

    /// <summary>The transport's name in log messages.</summary>
    protected abstract string Transport { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = notifier.Subscribe(null, e => _outgoing.Writer.TryWrite(Serialize(new RelayMessage(_instance, e, null))), EventOrigin.ThisInstance);
        Action<int> submitted = id => _outgoing.Writer.TryWrite(Serialize(new RelayMessage(_instance, null, id)));
        queue.Submitted += submitted;
        try
        {
            await Task.WhenAll(ListenLoopAsync(stoppingToken), SendLoopAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Submitted -= submitted;
        }
    }

    private async Task SendLoopAsync(CancellationToken stoppingToken)
    {
        var messages = new List<string>(MaxMessagesPerSend);
        while (await _outgoing.Reader.WaitToReadAsync(stoppingToken))
        {
            messages.Clear();
            while (messages.Count < MaxMessagesPerSend && _outgoing.Reader.TryRead(out var message))
                messages.Add(message);
            try
            {
                await SendAsync(messages, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Could not send {Count} batch events over {Transport}; pages elsewhere read them from the database.", messages.Count, Transport);
            }
        }
    }

    private async Task ListenLoopAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(Receive, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Lost the {Transport} connection for batch events; trying again in {Delay}.", Transport, delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
                continue;
            }
            delay = TimeSpan.FromMilliseconds(200);
        }
    }

    private void Receive(string text)
    {
        RelayMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<RelayMessage>(text, Json);
        }
        catch (JsonException exception)
        {
            logger.LogWarning(exception, "Ignored a batch event over {Transport} that could not be read.", Transport);
            return;
        }
        if (message is null || message.From == _instance)
            return;
        if (message.Event is { } batchEvent)
            notifier.PublishFromAnotherInstance(batchEvent);
        if (message.Submitted is { } batchId)
            queue.Wake(batchId);
    }

    private static string Serialize(RelayMessage message) => JsonSerializer.Serialize(message, Json);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What goes over the wire: who sent it, and an event or a submitted batch.</summary>
    internal sealed record RelayMessage(string From, BatchEvent? Event, int? Submitted);
}
