using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Accounts;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>
/// The hosted sender of the outbox. Each run claims the due queued messages (oldest first) and delivers them over one
/// transport (one SMTP connection), then records Sent, Failed with the server's reply, or a later retry. One instance
/// per database: runs never overlap.
/// </summary>
public sealed class OutboxSender(
    SystemDbContextFactory factory,
    EmailTransportFactory transports,
    OutboxSignal signal,
    IOptions<SmtpOptions> options,
    TimeProvider clock,
    ILogger<OutboxSender> logger) : BackgroundService
{
    private const int SaveEvery = 200;
    private readonly SemaphoreSlim _run = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Outbox: {Transport}", transports.Describe());
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
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.EmailMessages
            .Where(m => m.State == EmailState.Queued && m.NextAttemptAtUtc <= now)
            .OrderBy(m => m.NextAttemptAtUtc).ThenBy(m => m.Id)
            .Take(settings.BatchSize)
            .Include(m => m.Attachments)
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
            return 0;

        var failedInvitations = new Dictionary<int, string>();
        var settled = 0;
        await using (var transport = transports.Create())
        {
            for (var i = 0; i < due.Count; i++)
            {
                var message = due[i];
                var result = await transport.SendAsync(OutboxMime.Build(message, settings), cancellationToken);
                now = clock.GetUtcNow().UtcDateTime;
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
                        Fail(message, result.Error!, failedInvitations);
                        break;
                    case DeliveryOutcome.Deferred:
                        Reschedule(message, result.Error!, now, settings, failedInvitations);
                        break;
                    case DeliveryOutcome.Unreachable:
                        // The server is down: everything left in this run waits for the next one.
                        logger.LogWarning("Outbox: {Error}", result.Error);
                        foreach (var waiting in due.Skip(i))
                        {
                            if (waiting != message)
                                waiting.Attempts++;
                            Reschedule(waiting, result.Error!, now, settings, failedInvitations);
                        }
                        settled += due.Count - i;
                        i = due.Count;
                        continue;
                }
                settled++;
                if (settled % SaveEvery == 0)
                    await SaveAsync(db, failedInvitations, cancellationToken);
            }
        }
        await SaveAsync(db, failedInvitations, cancellationToken);
        return settled;
    }

    private static void Reschedule(EmailMessage message, string error, DateTime now, SmtpOptions settings, Dictionary<int, string> failedInvitations)
    {
        if (message.Attempts >= settings.MaxDeliveryRuns)
        {
            Fail(message, $"Not delivered after {message.Attempts} attempts. {error}", failedInvitations);
            return;
        }
        message.LastError = error;
        var backoff = settings.RequeueDelay * Math.Pow(2, Math.Max(0, message.Attempts - 1));
        message.NextAttemptAtUtc = now + (backoff > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : backoff);
    }

    private static void Fail(EmailMessage message, string error, Dictionary<int, string> failedInvitations)
    {
        message.State = EmailState.Failed;
        message.LastError = error.Length > 1000 ? error[..1000] : error;
        if (message is { Kind: EmailKind.Invitation, AccountId: { } accountId })
            failedInvitations[accountId] = message.LastError;
    }

    /// <summary>Saves the run so far; accounts whose invitation failed become Invitation failed with the reason.</summary>
    private static async Task SaveAsync(MultiLineDbContext db, Dictionary<int, string> failedInvitations, CancellationToken cancellationToken)
    {
        if (failedInvitations.Count > 0)
        {
            var ids = failedInvitations.Keys.ToList();
            var accounts = await db.Accounts.Where(a => ids.Contains(a.Id) && a.Status == AccountStatus.Invited).ToListAsync(cancellationToken);
            foreach (var account in accounts)
            {
                account.Status = AccountStatus.InvitationFailed;
                account.InvitationError = failedInvitations[account.Id];
            }
            failedInvitations.Clear();
        }
        // Delivery results must be recorded even when the host is stopping, or messages would be sent twice.
        await db.SaveChangesAsync(CancellationToken.None);
    }
}
