using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using MultiLine.Core.Batches;

namespace MultiLine.Web.Reports;

/// <summary>
/// Forwards batch events to SignalR groups: those of this instance's worker and, without a backplane, those relayed
/// from other instances (<see cref="ScaleOut.HubForwarding"/>). One reader keeps them in order, and the worker never
/// waits for the network.
/// </summary>
internal sealed class BatchHubBridge(BatchProgressNotifier notifier, IHubContext<BatchHub> hub, ScaleOut.HubForwarding forwarding, ILogger<BatchHubBridge> logger) : BackgroundService
{
    private readonly Channel<BatchEvent> _events = Channel.CreateUnbounded<BatchEvent>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = notifier.Subscribe(null, e => _events.Writer.TryWrite(e), forwarding.Origin);
        try
        {
            await foreach (var batchEvent in _events.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    var group = hub.Clients.Group(BatchHub.Group(batchEvent.BatchId));
                    await (batchEvent switch
                    {
                        RowProcessed row => group.SendAsync("RowProcessed", row, stoppingToken),
                        BatchStateChanged state => group.SendAsync("BatchStateChanged", state, stoppingToken),
                        _ => Task.CompletedTask,
                    });
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(exception, "Could not forward an event of batch {BatchId}.", batchEvent.BatchId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
