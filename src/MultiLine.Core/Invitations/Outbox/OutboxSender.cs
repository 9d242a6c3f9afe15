using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>
/// The hosted sender of the outbox. Each run leases the due queued messages (oldest first, see <see cref="OutboxLease"/>),
/// delivers them over one transport (one SMTP connection) and saves each result as soon as it is known: Sent, Failed
/// with the server's reply, or back in the queue with the message's own next attempt. Several senders (one per host)
/// may share a database; a crash re-sends at most the message that was in flight. Runs of one sender never overlap.
/// </summary>
public sealed class OutboxSender(
    SystemDbContextFactory factory,
    IDatabaseEngine engine,
    EmailTransportFactory transports,
    OutboxSignal signal,
    IOptions<SmtpOptions> options,
    TimeProvider clock,
    ILogger<OutboxSender> logger) : BackgroundService
{
    private readonly SemaphoreSlim _run = new(1, 1);
    private readonly DeliveryResults _results = new(engine, clock, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Outbox: {Transport} Sender {SenderId}.", transports.Describe(), options.Value.SenderId);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DeliverDueAsync(stoppingToken) > 0 && !stoppingToken.IsCancellationRequested) { }
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Outbox run failed; trying again after the poll interval.");
                await Task.Delay(options.Value.PollInterval, stoppingToken);
            }
        }
    }

    /// <summary>One delivery run. Returns how many messages it settled (sent, failed or rescheduled).</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        await _run.WaitAsync(cancellationToken);
        try
        {
            return await RunAsync(cancellationToken);
        }
        finally
        {
            _run.Release();
        }
    }

    private async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var db = await factory.CreateAsync(cancellationToken);
        // One connection for the run's lease and its many small writes.
        await db.Database.OpenConnectionAsync(cancellationToken);
        await _results.SaveEarlierAsync(db, cancellationToken);
        var lease = await OutboxLease.ClaimAsync(db, settings, clock, cancellationToken);
        if (lease.Messages.Count == 0)
            return 0;
        try
        {
            return await DeliverAsync(db, lease, settings, cancellationToken);
        }
        finally
        {
            await ReleaseAsync(db, lease);
        }
    }

    private async Task<int> DeliverAsync(MultiLineDbContext db, OutboxLease lease, SmtpOptions settings, CancellationToken cancellationToken)
    {
        var settled = 0;
        await using var transport = transports.Create();
        foreach (var message in lease.Messages)
        {
            if (!await lease.HoldsAsync(db, message, cancellationToken))
                continue;
            var result = await transport.SendAsync(OutboxMime.Build(message, settings), cancellationToken);
            if (result.Outcome == DeliveryOutcome.Unreachable)
                return settled + await PostponeAsync(db, lease, result.Error!, settings, cancellationToken);
            Settle(message, result, clock.GetUtcNow().UtcDateTime, settings);
            lease.Close(message);
            await _results.SaveAsync(db, message, cancellationToken);
            settled++;
        }
        return settled;
    }

    /// <summary>The server is down: this message and the rest of the run wait for a later run.</summary>
    private async Task<int> PostponeAsync(MultiLineDbContext db, OutboxLease lease, string error, SmtpOptions settings, CancellationToken cancellationToken)
    {
        logger.LogWarning("Outbox: {Error}", error);
        var now = clock.GetUtcNow().UtcDateTime;
        var waiting = lease.Open.ToList();
        foreach (var message in waiting)
        {
            message.Attempts++;
            Reschedule(message, error, now, settings);
            lease.Close(message);
            await _results.SaveAsync(db, message, cancellationToken);
        }
        return waiting.Count;
    }

    /// <summary>A stopped run gives back the messages it did not get to; if that fails too, their lease runs out.</summary>
    private async Task ReleaseAsync(MultiLineDbContext db, OutboxLease lease)
    {
        try
        {
            await lease.ReleaseOpenAsync(db);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Outbox: could not give back the messages of a stopped run; other senders take them when the lease ends.");
        }
    }

    private static void Settle(EmailMessage message, DeliveryResult result, DateTime now, SmtpOptions settings)
    {
        message.Attempts++;
        switch (result.Outcome)
        {
            case DeliveryOutcome.Sent:
                message.State = EmailState.Sent;
                message.SentAtUtc = now;
                message.PickupFile = result.PickupFile;
                message.LastError = null;
                break;
            case DeliveryOutcome.Refused:
                Fail(message, result.Error!);
                break;
            default:
                Reschedule(message, result.Error!, now, settings);
                break;
        }
    }

    /// <summary>Back to the queue with the message's own backoff, so a greylisted recipient holds up no one else.</summary>
    private static void Reschedule(EmailMessage message, string error, DateTime now, SmtpOptions settings)
    {
        if (message.Attempts >= settings.MaxDeliveryRuns)
        {
            Fail(message, $"Not delivered after {message.Attempts} attempts. {error}");
            return;
        }
        message.LastError = error;
        var backoff = settings.RequeueDelay * Math.Pow(2, Math.Max(0, message.Attempts - 1));
        message.NextAttemptAtUtc = now + (backoff > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : backoff);
    }

    /// <summary>Failed for good; saving it makes an invited account Invitation failed with the reason.</summary>
    private static void Fail(EmailMessage message, string error)
    {
        message.State = EmailState.Failed;
        message.LastError = error.Length > 1000 ? error[..1000] : error;
    }
}
