using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>
/// The hosted sender of the outbox. Each run leases the due queued messages (oldest first, see <see cref="OutboxLease"/>),
/// delivers them over up to <see cref="SmtpOptions.Connections"/> transports (SMTP connections) in parallel, each taking
/// the next leased message until none is left, and saves each result as soon as it is known: Sent, Failed with the
/// server's reply, or back in the queue with the message's own next attempt. Several senders (one per host) may share a
/// database; a crash re-sends at most the message in flight on each connection. Runs of one sender never overlap.
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
        logger.LogInformation("Outbox: {Transport} Sender {SenderId}, up to {Connections} connection(s).",
            transports.Describe(), options.Value.SenderId, transports.Connections);
        await Common.SenderLoop.RunAsync(DeliverDueAsync, signal, () => options.Value.PollInterval, clock, logger,
            "Outbox run failed; trying again after the poll interval.", stoppingToken);
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
        // One connection for the run's lease, its release and the results of earlier runs; each SMTP connection of the
        // run has a database connection of its own for its results.
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
            // Only once every connection has stopped: a message still being sent is never given back.
            await ReleaseAsync(db, lease);
        }
    }

    private async Task<int> DeliverAsync(MultiLineDbContext db, OutboxLease lease, SmtpOptions settings, CancellationToken cancellationToken)
    {
        var run = new Run(lease);
        var connections = Math.Min(transports.Connections, lease.Messages.Count);
        var workers = Enumerable.Range(0, connections)
            .Select(_ => Task.Run(() => WorkAsync(run, settings, cancellationToken), CancellationToken.None))
            .ToArray();
        // Every connection runs to its end, whatever happens to the others: each result is saved as it comes.
        await Task.WhenAll(workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var failures = workers.Where(w => !w.IsCompletedSuccessfully)
            .SelectMany(w => w.Exception?.InnerExceptions ?? [new TaskCanceledException(w)])
            .Where(e => !(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            .ToList();
        if (cancellationToken.IsCancellationRequested && workers.Any(w => !w.IsCompletedSuccessfully))
        {
            foreach (var failure in failures)
                logger.LogWarning(failure, "Outbox: a connection failed while the run was being stopped.");
            cancellationToken.ThrowIfCancellationRequested();
        }
        if (failures.Count == 1)
            ExceptionDispatchInfo.Throw(failures[0]);
        if (failures.Count > 1)
            throw new AggregateException("Several outbox connections failed.", failures);
        if (run.Unreachable is { } error && lease.Open.Count > 0)
            return run.Settled + await PostponeAsync(db, lease, error, settings, cancellationToken);
        return run.Settled;
    }

    /// <summary>
    /// One connection of a run, with its own transport and its own database context (never shared with another thread),
    /// taking the run's next message until none is left. When the server cannot be reached over it (after the
    /// transport's retries), it stops and hands its message to the connections still working (<see cref="Run.GiveUp"/>).
    /// </summary>
    private async Task WorkAsync(Run run, SmtpOptions settings, CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var transport = transports.Create();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!run.TryTake(out var message))
                return;
            if (!await run.Lease.HoldsAsync(db, message, engine, cancellationToken))
                continue;
            var result = await transport.SendAsync(OutboxMime.Build(message, settings), cancellationToken);
            if (result.Outcome == DeliveryOutcome.Unreachable)
            {
                var handedOver = run.GiveUp(message, result.Error!);
                logger.LogWarning("Outbox: a connection gave up on message {MessageId}; {Next} {Error}", message.Id,
                    handedOver ? "another connection of the run may send it." : "it waits for a later run.", result.Error);
                return;
            }
            Settle(message, result, clock.GetUtcNow().UtcDateTime, settings);
            run.Lease.Close(message);
            await _results.SaveAsync(db, message, cancellationToken);
            run.CountSettled();
        }
    }

    /// <summary>
    /// Connections gave up: the messages still open (those left when all connections gave up, and any message two
    /// connections gave up on) wait for a later run.
    /// </summary>
    private async Task<int> PostponeAsync(MultiLineDbContext db, OutboxLease lease, string error, SmtpOptions settings, CancellationToken cancellationToken)
    {
        logger.LogWarning("Outbox: {Error}", error);
        var now = clock.GetUtcNow().UtcDateTime;
        var waiting = lease.Open;
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

    /// <summary>The leased messages no connection has taken yet, and what the run's connections report back.</summary>
    private sealed class Run(OutboxLease lease)
    {
        private readonly ConcurrentQueue<EmailMessage> _waiting = new(lease.Messages);
        private int _settled;
        private readonly HashSet<int> _givenUp = [];
        private volatile string? _unreachable;

        public OutboxLease Lease => lease;
        public int Settled => Volatile.Read(ref _settled);

        /// <summary>The last "could not reach the server" of a connection that gave up, if any did.</summary>
        public string? Unreachable => _unreachable;

        /// <summary>The oldest message no connection has taken yet.</summary>
        public bool TryTake([MaybeNullWhen(false)] out EmailMessage message) => _waiting.TryDequeue(out message);

        public void CountSettled() => Interlocked.Increment(ref _settled);

        /// <summary>
        /// A connection gave up on <paramref name="message"/>. The first time, the message goes back for another
        /// connection (the one that gave up may have been over a server's connection limit); a second time it stays out
        /// of this run, so that a message that breaks every connection takes down at most two of them. Returns whether
        /// it went back.
        /// </summary>
        public bool GiveUp(EmailMessage message, string error)
        {
            _unreachable = error;
            lock (_givenUp)
            {
                if (!_givenUp.Add(message.Id))
                    return false;
            }
            _waiting.Enqueue(message);
            return true;
        }
    }
}
