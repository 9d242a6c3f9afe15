using Microsoft.Extensions.Logging;

namespace MultiLine.Core.Common;

/// <summary>
/// The loop of a hosted sender (the email outbox, webhooks): runs until nothing more is due, then waits for its signal or
/// the poll interval; a failed run is logged and tried again after the interval. Ends when the host stops.
/// </summary>
public static class SenderLoop
{
    public static async Task RunAsync(Func<CancellationToken, Task<int>> deliverDue, WakeSignal signal, Func<TimeSpan> pollInterval,
        TimeProvider clock, ILogger logger, string failure, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await deliverDue(stoppingToken) > 0 && !stoppingToken.IsCancellationRequested) { }
                await signal.WaitAsync(pollInterval(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Failure}", failure);
                try
                {
                    await Task.Delay(pollInterval(), clock, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }
}
