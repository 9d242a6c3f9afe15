using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Webhooks;
using MultiLine.Tests;

namespace MultiLine.Core.Tests.Webhooks;

public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private WebhookWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await WebhookWorld.CreateAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TestEventReachesTheHttpsEndpointSignedWithItsSecret()
    {
        var (endpointId, secret) = await _world.AddEndpointAsync();
        var deliveryId = await _world.SendTestAsync(endpointId);

        Assert.Equal(1, await _world.Sender.DeliverDueAsync(Ct));

        var received = Assert.Single(_world.Receiver.Received);
        Assert.Equal(WebhookEvents.Test, received.Event);
        Assert.Equal(deliveryId.ToString(), received.Delivery);
        Assert.StartsWith($"t={_world.Clock.GetUtcNow().ToUnixTimeSeconds()},v1=", received.Signature);
        Assert.True(WebhookSignature.Verify(secret, received.Signature!, received.Body, _world.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, received.Signature!, received.Body + " ", _world.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_other", received.Signature!, received.Body, _world.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        using var json = JsonDocument.Parse(received.Body);
        Assert.Equal("webhook.test", json.RootElement.GetProperty("type").GetString());
        Assert.StartsWith("evt_", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("2026-11-26T12:00:00.000Z", json.RootElement.GetProperty("occurredAt").GetString());
        Assert.Equal("Acme", json.RootElement.GetProperty("organization").GetProperty("name").GetString());
        var delivery = await _world.DeliveryAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Delivered, 1, 200), (delivery.State, delivery.Attempts, delivery.LastStatusCode));
        Assert.NotNull(delivery.LastDurationMs);
    }

    [Fact]
    public async Task FailingEndpointIsRetriedWithBackoffAndThenSucceeds()
    {
        _world.Receiver.Answer = n => n <= 2 ? 500 : 204;
        var (endpointId, _) = await _world.AddEndpointAsync();
        var deliveryId = await _world.SendTestAsync(endpointId);

        Assert.Equal(1, await _world.Sender.DeliverDueAsync(Ct));
        var first = await _world.DeliveryAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Pending, 1, 500), (first.State, first.Attempts, first.LastStatusCode));
        Assert.Equal("The endpoint answered 500 Internal Server Error.", first.LastError);
        var wait = first.NextAttemptAtUtc - _world.Clock.GetUtcNow().UtcDateTime;
        Assert.InRange(wait, TimeSpan.FromSeconds(54), TimeSpan.FromSeconds(66));

        // Not due yet: nothing is sent before the backoff has passed.
        _world.Clock.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(0, await _world.Sender.DeliverDueAsync(Ct));
        Assert.Single(_world.Receiver.Received);

        _world.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(1, await _world.Sender.DeliverDueAsync(Ct));
        var second = await _world.DeliveryAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Pending, 2), (second.State, second.Attempts));
        Assert.InRange(second.NextAttemptAtUtc - _world.Clock.GetUtcNow().UtcDateTime, TimeSpan.FromMinutes(4.5), TimeSpan.FromMinutes(5.5));

        _world.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, await _world.Sender.DeliverDueAsync(Ct));
        var done = await _world.DeliveryAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Delivered, 3, 204, (string?)null), (done.State, done.Attempts, done.LastStatusCode, done.LastError));
        Assert.Equal(3, _world.Receiver.Received.Count);
        Assert.Single(_world.Receiver.Received.Select(r => r.Body).Distinct());

        // The delivery log lists every attempt under its delivery, in order, with the endpoint's answer.
        await using var db = _world.Database.CreateDbContext();
        var organizationId = await db.WebhookDeliveries.Where(d => d.Id == deliveryId).Select(d => d.OrganizationId).SingleAsync(Ct);
        var attempts = (await _world.Services.GetRequiredService<WebhookRegistry>().AttemptsAsync(db, organizationId, [deliveryId], Ct))[deliveryId].ToList();
        Assert.Equal([(1, 500, "The endpoint answered 500 Internal Server Error."), (2, 500, "The endpoint answered 500 Internal Server Error."), (3, 204, (string?)null)],
            attempts.Select(a => (a.Number, a.StatusCode!.Value, a.Error)));
        Assert.Equal([false, false, true], attempts.Select(a => a.Delivered));
        Assert.True(attempts[0].AtUtc < attempts[1].AtUtc && attempts[1].AtUtc < attempts[2].AtUtc);
    }

    [Theory]
    [InlineData(302, "The endpoint answered 302 Found.")]
    [InlineData(307, "The endpoint answered 307 Temporary Redirect.")]
    public async Task RedirectIsAFailedAttemptAndIsNotFollowed(int code, string error)
    {
        _world.Receiver.Answer = n => n == 1 ? code : 200;
        var (endpointId, _) = await _world.AddEndpointAsync();
        var deliveryId = await _world.SendTestAsync(endpointId);

        Assert.Equal(1, await _world.Sender.DeliverDueAsync(Ct));

        // The redirect points back at the receiver: had it been followed, a second request would have arrived.
        Assert.Single(_world.Receiver.Received);
        var delivery = await _world.DeliveryAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Pending, 1, code, error), (delivery.State, delivery.Attempts, delivery.LastStatusCode, delivery.LastError));
        Assert.Null(delivery.DeliveredAtUtc);
    }

    [Fact]
    public async Task AnEndpointThatDoesNotAnswerWithinTheTimeoutIsAFailedAttempt()
    {
        await using var world = await WebhookWorld.CreateAsync(timeout: TimeSpan.FromSeconds(2));
        // Far longer than the timeout; the receiver stops waiting when the portal hangs up.
        world.Receiver.Delay = TimeSpan.FromMinutes(2);
        var (endpointId, _) = await world.AddEndpointAsync();
        var deliveryId = await world.SendTestAsync(endpointId);

        Assert.Equal(1, await world.Sender.DeliverDueAsync(Ct));

        Assert.Single(world.Receiver.Received);
        var delivery = await world.DeliveryAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Pending, 1, (int?)null, "No answer within 2 seconds."), (delivery.State, delivery.Attempts, delivery.LastStatusCode, delivery.LastError));
        Assert.True(delivery.NextAttemptAtUtc > world.Clock.GetUtcNow().UtcDateTime);
    }

    [Fact]
    public async Task DeliveryGivesUpAfterTheLastScheduledRetry()
    {
        _world.Receiver.Answer = _ => 503;
        var (endpointId, _) = await _world.AddEndpointAsync();
        var deliveryId = await _world.SendTestAsync(endpointId);

        foreach (var wait in WebhookSender.RetrySchedule)
        {
            Assert.Equal(1, await _world.Sender.DeliverDueAsync(Ct));
            _world.Clock.Advance(wait * (1 + WebhookSender.Jitter) + TimeSpan.FromSeconds(1));
        }
        Assert.Equal(1, await _world.Sender.DeliverDueAsync(Ct));
        _world.Clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(0, await _world.Sender.DeliverDueAsync(Ct));

        var delivery = await _world.DeliveryAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Failed, WebhookSender.MaxAttempts, 503), (delivery.State, delivery.Attempts, delivery.LastStatusCode));
        Assert.Equal(6, _world.Receiver.Received.Count);
    }

    [Fact]
    public async Task TwoSendersRacingDeliverEveryEventExactlyOnce()
    {
        _world.Receiver.Delay = TimeSpan.FromMilliseconds(5);
        var (endpointId, _) = await _world.AddEndpointAsync();
        for (var i = 0; i < 40; i++)
            await _world.SendTestAsync(endpointId);
        var other = _world.AddSender("sender-b");

        async Task<int> DrainAsync(WebhookSender sender)
        {
            var total = 0;
            for (int settled; (settled = await sender.DeliverDueAsync(Ct)) > 0;)
                total += settled;
            return total;
        }
        var counts = await Task.WhenAll(Task.Run(() => DrainAsync(_world.Sender), Ct), Task.Run(() => DrainAsync(other), Ct));

        Assert.Equal(40, counts.Sum());
        Assert.Equal(40, _world.Receiver.Received.Count);
        Assert.Equal(40, _world.Receiver.Received.Select(r => r.Delivery).Distinct().Count());
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal(40, await db.WebhookDeliveries.CountAsync(d => d.State == WebhookDeliveryState.Delivered && d.Attempts == 1, Ct));
    }

    [Fact]
    public async Task PrivateAddressIsRefusedWhenConnectingUnlessAllowed()
    {
        var (endpointId, _) = await _world.AddEndpointAsync();
        var deliveryId = await _world.SendTestAsync(endpointId);
        var strict = _world.AddSender("strict-sender", allowPrivateAddresses: false);

        Assert.Equal(1, await strict.DeliverDueAsync(Ct));

        Assert.Empty(_world.Receiver.Received);
        var delivery = await _world.DeliveryAsync(deliveryId);
        Assert.Equal(WebhookDeliveryState.Pending, delivery.State);
        Assert.Equal("Could not reach the endpoint: 127.0.0.1 resolves to a local or private network address, which the portal does not call.", delivery.LastError);
    }

    [Fact]
    public async Task DisabledEndpointGetsNoEventsAndItsQueuedDeliveryFails()
    {
        var (endpointId, _) = await _world.AddEndpointAsync();
        var deliveryId = await _world.SendTestAsync(endpointId);
        await using (var db = _world.Database.CreateDbContext())
        {
            Assert.True((await _world.Registry.EditAsync(db, _world.OrganizationId, endpointId, null, null, false, TestActors.Admin, Ct)).Succeeded);
            Assert.Equal(0, await WebhookEvents.AccountActivatedAsync(db, _world.OrganizationId, 1, "ava@acme.example", null, DateTime.UtcNow, Ct));
        }

        await _world.Sender.DeliverDueAsync(Ct);

        Assert.Empty(_world.Receiver.Received);
        var delivery = await _world.DeliveryAsync(deliveryId);
        Assert.Equal((WebhookDeliveryState.Failed, "Not sent: the endpoint was disabled."), (delivery.State, delivery.LastError));
    }

    [Fact]
    public async Task RetentionDeletesFinishedDeliveriesOlderThan30Days()
    {
        var (endpointId, _) = await _world.AddEndpointAsync();
        var old = await _world.SendTestAsync(endpointId);
        await _world.Sender.DeliverDueAsync(Ct);
        _world.Clock.Advance(TimeSpan.FromDays(31));
        var recent = await _world.SendTestAsync(endpointId);

        var deleted = await _world.Services.GetRequiredService<WebhookRetention>().SweepAsync(Ct);

        Assert.Equal(1, deleted);
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal([recent], await db.WebhookDeliveries.Select(d => d.Id).ToListAsync(Ct));
        Assert.NotEqual(old, recent);
        // Its attempts went with it (the database cascades the set-based delete).
        Assert.False(await db.WebhookAttempts.AnyAsync(a => a.DeliveryId == old, Ct));
    }
}
