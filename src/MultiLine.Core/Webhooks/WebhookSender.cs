using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Webhooks;

/// <summary>Wakes the <see cref="WebhookSender"/> of this process when a delivery was queued here (the test button).</summary>
public sealed class WebhookSignal : Common.WakeSignal;

/// <summary>
/// Delivers the queued webhook events, following the outbox's pattern (docs/adr-outbox-delivery.md): each run claims due
/// deliveries with one conditional UPDATE (<c>ClaimedBy</c>, <c>ClaimExpiresAtUtc</c>), so several instances never send
/// one delivery at the same time; sends them (a few at once) through the named HttpClient with a timeout; and saves each
/// result at once with an UPDATE fenced on its own claim. A 2xx is delivered; anything else, a timeout or a refused
/// connection is a failed attempt, retried after 1 min, 5 min, 30 min, 2 h and 6 h (each ±10 % jitter), then Failed.
/// </summary>
public sealed class WebhookSender(
    SystemDbContextFactory factory,
    IHttpClientFactory httpClients,
    WebhookSecrets secrets,
    WebhookSignal signal,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<WebhookSender> logger) : BackgroundService
{
    /// <summary>Waits after the first, second, … failed attempt; one more failure after the last is final.</summary>
    public static IReadOnlyList<TimeSpan> RetrySchedule { get; } =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(6)];

    /// <summary>Attempts before a delivery is Failed.</summary>
    public static int MaxAttempts => RetrySchedule.Count + 1;

    public const double Jitter = 0.1;
    private readonly SemaphoreSlim _run = new(1, 1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Common.SenderLoop.RunAsync(DeliverDueAsync, signal, () => options.Value.PollInterval, clock, logger,
            "Webhooks: the delivery run failed; trying again after the poll interval.", stoppingToken);

    /// <summary>One run: claims the due deliveries, sends them and saves each result. Returns how many it settled.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        await _run.WaitAsync(cancellationToken);
        try
        {
            var settings = options.Value;
            var claim = await ClaimAsync(settings, cancellationToken);
            if (claim.Deliveries.Count == 0)
                return 0;
            var settled = 0;
            var unsent = new List<long>();
            await Parallel.ForEachAsync(claim.Deliveries, new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism, CancellationToken = cancellationToken },
                async (delivery, ct) =>
                {
                    // Never start a request that could outlast the claim: another sender may take the row after it.
                    if (clock.GetUtcNow().UtcDateTime + settings.Timeout + TimeSpan.FromSeconds(1) >= claim.UntilUtc)
                    {
                        lock (unsent)
                            unsent.Add(delivery.Id);
                        return;
                    }
                    var attempt = await SendAsync(delivery, settings, ct);
                    if (await SaveAsync(delivery, attempt, claim.UntilUtc, settings))
                        Interlocked.Increment(ref settled);
                });
            if (unsent.Count > 0)
                await ReleaseAsync(unsent, claim.UntilUtc, settings);
            return settled;
        }
        finally
        {
            _run.Release();
        }
    }

    private sealed record Claim(IReadOnlyList<WebhookDelivery> Deliveries, DateTime UntilUtc);

    private async Task<Claim> ClaimAsync(WebhookOptions settings, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + settings.LeaseDuration;
        var me = settings.SenderId;
        await using var db = await factory.CreateAsync(cancellationToken);
        var oldest = Claimable(db, now, me).OrderBy(d => d.NextAttemptAtUtc).ThenBy(d => d.Id).Take(settings.BatchSize).Select(d => d.Id);
        // The condition sits on the updated rows as well as in the sub-select: SQLite runs the statement under its write
        // lock, and PostgreSQL re-checks a row another sender changed meanwhile, so each row goes to one sender.
        var claimed = await Claimable(db, now, me).Where(d => oldest.Contains(d.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimedBy, me).SetProperty(d => d.ClaimExpiresAtUtc, until), cancellationToken);
        if (claimed == 0)
            return new Claim([], until);
        var deliveries = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.State == WebhookDeliveryState.Pending && d.ClaimedBy == me && d.ClaimExpiresAtUtc == until)
            .Include(d => d.Endpoint)
            .OrderBy(d => d.NextAttemptAtUtc).ThenBy(d => d.Id)
            .ToListAsync(cancellationToken);
        return new Claim(deliveries, until);
    }

    private static IQueryable<WebhookDelivery> Claimable(MultiLineDbContext db, DateTime now, string me) =>
        db.WebhookDeliveries.Where(d => d.State == WebhookDeliveryState.Pending && d.NextAttemptAtUtc <= now
            && (d.ClaimedBy == null || d.ClaimExpiresAtUtc < now || d.ClaimedBy == me));

    /// <summary>What one attempt came to.</summary>
    private sealed record Attempt(bool Delivered, int? StatusCode, string? Error, int DurationMs, bool Final = false);

    private async Task<Attempt> SendAsync(WebhookDelivery delivery, WebhookOptions settings, CancellationToken cancellationToken)
    {
        var endpoint = delivery.Endpoint!;
        if (!endpoint.IsActive)
            return new Attempt(false, null, "Not sent: the endpoint was disabled.", 0, Final: true);
        string secret;
        try
        {
            secret = secrets.Unprotect(endpoint.ProtectedSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return new Attempt(false, null, "Not sent: the endpoint's secret cannot be read with this portal's keys. Rotate the secret.", 0, Final: true);
        }
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Create(secret, timestamp, delivery.Payload));
        request.Headers.Add(WebhookSignature.EventHeader, delivery.EventType);
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString(CultureInfo.InvariantCulture));
        request.Headers.UserAgent.ParseAdd("MultiLine-Webhooks/1.0");
        var client = httpClients.CreateClient(WebhookOptions.HttpClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Timeout);
        var started = Stopwatch.GetTimestamp();
        int Elapsed() => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new Attempt(true, code, null, Elapsed())
                : new Attempt(false, code, $"The endpoint answered {code} {response.ReasonPhrase}.".Replace(" .", "."), Elapsed());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt(false, null, $"No answer within {settings.Timeout.TotalSeconds:0.#} seconds.", Elapsed());
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is WebhookAddressRefusedException refused ? refused.Message : e.InnerException?.Message ?? e.Message;
            return new Attempt(false, null, $"Could not reach the endpoint: {reason}", Elapsed());
        }
    }

    /// <summary>Saves the attempt, only while this sender still holds the row (the fence). Returns whether it saved.</summary>
    private async Task<bool> SaveAsync(WebhookDelivery delivery, Attempt attempt, DateTime until, WebhookOptions settings)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var attempts = delivery.Attempts + 1;
        var state = attempt.Delivered ? WebhookDeliveryState.Delivered
            : attempt.Final || attempts >= MaxAttempts ? WebhookDeliveryState.Failed
            : WebhookDeliveryState.Pending;
        var next = state == WebhookDeliveryState.Pending ? now + NextDelay(attempts) : delivery.NextAttemptAtUtc;
        var error = attempt.Error is { Length: > WebhookDelivery.MaxErrorLength } text ? text[..WebhookDelivery.MaxErrorLength] : attempt.Error;
        DateTime? deliveredAt = attempt.Delivered ? now : null;
        // Not cancellable: a request that went out is recorded even while the host stops, so it is not sent again.
        await using var db = await factory.CreateAsync(CancellationToken.None);
        // The result on the delivery and the attempt in its history commit together, only while the claim holds.
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var saved = await db.WebhookDeliveries
            .Where(d => d.Id == delivery.Id && d.ClaimedBy == settings.SenderId && d.ClaimExpiresAtUtc == until)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, state)
                .SetProperty(d => d.Attempts, attempts)
                .SetProperty(d => d.NextAttemptAtUtc, next)
                .SetProperty(d => d.LastAttemptAtUtc, now)
                .SetProperty(d => d.LastStatusCode, attempt.StatusCode)
                .SetProperty(d => d.LastError, error)
                .SetProperty(d => d.LastDurationMs, attempt.DurationMs)
                .SetProperty(d => d.DeliveredAtUtc, deliveredAt)
                .SetProperty(d => d.ClaimedBy, (string?)null)
                .SetProperty(d => d.ClaimExpiresAtUtc, (DateTime?)null), CancellationToken.None);
        if (saved == 1)
        {
            db.WebhookAttempts.Add(new WebhookAttempt
            {
                DeliveryId = delivery.Id, OrganizationId = delivery.OrganizationId, Number = attempts, AtUtc = now,
                StatusCode = attempt.StatusCode, Error = error, DurationMs = attempt.DurationMs,
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
        await transaction.CommitAsync(CancellationToken.None);
        if (saved == 0)
            logger.LogWarning("Webhooks: delivery {DeliveryId} was sent after this sender's claim ended; its result was not saved.", delivery.Id);
        else if (state == WebhookDeliveryState.Failed)
            logger.LogWarning("Webhooks: delivery {DeliveryId} to endpoint {EndpointId} failed for good after {Attempts} attempt(s): {Error}", delivery.Id, delivery.EndpointId, attempts, error);
        return saved == 1;
    }

    /// <summary>The wait after failed attempt number <paramref name="attempts"/>, with ±10 % jitter so retries spread out.</summary>
    public static TimeSpan NextDelay(int attempts)
    {
        var step = RetrySchedule[Math.Clamp(attempts - 1, 0, RetrySchedule.Count - 1)];
        return step * (1 + (Random.Shared.NextDouble() * 2 - 1) * Jitter);
    }

    private async Task ReleaseAsync(List<long> ids, DateTime until, WebhookOptions settings)
    {
        await using var db = await factory.CreateAsync(CancellationToken.None);
        await db.WebhookDeliveries.Where(d => ids.Contains(d.Id) && d.ClaimedBy == settings.SenderId && d.ClaimExpiresAtUtc == until)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ClaimedBy, (string?)null).SetProperty(d => d.ClaimExpiresAtUtc, (DateTime?)null), CancellationToken.None);
    }
}
