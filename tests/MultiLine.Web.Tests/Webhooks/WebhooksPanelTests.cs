using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MultiLine.Core.Webhooks;
using MultiLine.Web.Organizations;
using MultiLine.Web.Tests.Components;

namespace MultiLine.Web.Tests.Webhooks;

/// <summary>The Webhooks section of the Settings page on the real app, delivering to a real HTTPS receiver.</summary>
public sealed class WebhooksPanelTests(WebhookPortalFixture portal) : IClassFixture<WebhookPortalFixture>, IAsyncDisposable
{
    private readonly BunitContext _context = Create(portal);
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static BunitContext Create(WebhookPortalFixture portal)
    {
        var context = PortalTestContext.Create(portal.Factory);
        context.SetRendererInfo(new RendererInfo("Server", true));
        context.Render<MudPopoverProvider>();
        return context;
    }

    private async Task<IRenderedComponent<WebhooksPanel>> RenderAsync(string organization)
    {
        await using var db = portal.Factory.CreateDbContext();
        var id = (await db.Organizations.SingleAsync(o => o.Name == organization, Ct)).Id;
        var panel = _context.Render<WebhooksPanel>(p => p.Add(c => c.OrganizationId, id));
        panel.WaitForAssertion(() => panel.Find("[data-testid=webhook-endpoints]"));
        return panel;
    }

    private static void AddEndpoint(IRenderedComponent<WebhooksPanel> panel, string url)
    {
        panel.ClickOn(() => panel.Find("[data-testid=webhook-add]"));
        panel.WaitForAssertion(() => panel.Find("#webhook-url").Input(url));
        panel.ClickOn(() => panel.Find("[data-testid=webhook-save]"));
    }

    [Fact]
    public async Task AnAdminAddsAnEndpointAndSeesItsSecretOnce()
    {
        var panel = await RenderAsync("Acme Corp");

        AddEndpoint(panel, portal.Receiver.Url);

        panel.WaitForAssertion(() =>
        {
            Assert.StartsWith(WebhookSecrets.Prefix, panel.Find("[data-testid=webhook-secret-value]").TextContent);
            var row = Assert.Single(panel.FindAll("[data-testid=webhook-endpoints] tbody tr"));
            Assert.Contains(portal.Receiver.Url, row.TextContent);
            Assert.Contains(WebhookEvents.BatchCompleted, row.TextContent);
            Assert.Contains("None yet", row.TextContent);
        });
        await using var db = portal.Factory.CreateDbContext();
        var endpoint = await db.WebhookEndpoints.SingleAsync(e => e.Url == portal.Receiver.Url && e.Organization!.Name == "Acme Corp", Ct);
        Assert.DoesNotContain(WebhookSecrets.Prefix, endpoint.ProtectedSecret);
        Assert.True(await db.ActivityEntries.AnyAsync(a => a.Action == Core.Activity.ActivityActions.WebhookCreate && a.TargetId == endpoint.Id.ToString(), Ct));
    }

    [Fact]
    public async Task AnAddressThatIsNotHttpsIsRefusedWithTheReason()
    {
        var panel = await RenderAsync("Support EMEA");

        AddEndpoint(panel, "http://hooks.example.com/multiline");

        panel.WaitForAssertion(() =>
        {
            Assert.Contains(WebhookAddresses.HttpsOnlyMessage, panel.Find("[data-testid=webhook-form]").TextContent);
            Assert.Contains(WebhookAddresses.HttpsOnlyMessage, panel.Find("[data-problem]").TextContent);
            Assert.DoesNotContain(panel.FindAll("[data-testid=webhook-endpoints] tbody tr"), r => r.TextContent.Contains("http://hooks.example.com/multiline"));
        });
    }

    [Fact]
    public async Task SendTestEventDeliversASignedEventAndTheLogShowsItDelivered()
    {
        var panel = await RenderAsync("Health Monitor");
        AddEndpoint(panel, portal.Receiver.Url);
        string secret = "";
        panel.WaitForAssertion(() => secret = panel.Find("[data-testid=webhook-secret-value]").TextContent);
        var before = portal.Receiver.Received.Count;

        panel.ClickOn(() => panel.Find("[data-testid=webhook-test]"));

        var received = (await portal.Receiver.WaitForAsync(before + 1)).Last(r => r.Event == WebhookEvents.Test);
        Assert.True(WebhookSignature.Verify(secret, received.Signature!, received.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Contains("\"name\":\"Health Monitor\"", received.Body);
        panel.WaitForAssertion(() =>
        {
            Assert.StartsWith("Test event delivered: the endpoint answered 200 in ", panel.Find("[data-testid=webhook-test-result]").TextContent.Trim());
            var log = panel.Find("[data-testid=webhook-deliveries]").TextContent;
            Assert.Contains(WebhookEvents.Test, log);
            Assert.Contains("Delivered · 200", log);
        }, TimeSpan.FromSeconds(20));
    }

    /// <summary>An endpoint of <paramref name="organization"/> added through the registry, as another admin would.</summary>
    private async Task<int> EndpointOfAsync(string organization, string url)
    {
        await using var db = portal.Factory.CreateDbContext();
        var id = (await db.Organizations.SingleAsync(o => o.Name == organization, Ct)).Id;
        var registry = portal.Factory.Services.GetRequiredService<WebhookRegistry>();
        var change = await registry.CreateAsync(db, id, url, WebhookEventTypes.BatchCompleted, MultiLine.Tests.TestActors.Admin, Ct);
        Assert.True(change.Succeeded, change.Message);
        return change.EndpointId!.Value;
    }

    [Fact]
    public async Task RotatingTheSecretAsksFirstAndSaysTheReceiverMustBeGivenTheNewSecret()
    {
        var endpointId = await EndpointOfAsync("Acme Support", "https://hooks.example.com/rotate");
        string SecretNow()
        {
            using var db = portal.Factory.CreateDbContext();
            return db.WebhookEndpoints.Single(e => e.Id == endpointId).ProtectedSecret;
        }
        var before = SecretNow();
        var panel = await RenderAsync("Acme Support");

        panel.ClickOn(() => panel.Find("[data-testid=webhook-rotate]"));

        var confirmation = panel.FindComponents<MudTooltip>().Single(t => t.Instance.Text?.StartsWith("Click again to make a new secret") == true);
        Assert.Contains("give your receiver the new secret", confirmation.Instance.Text);
        Assert.Empty(panel.FindAll("[data-testid=webhook-secret]"));
        Assert.Equal(before, SecretNow());

        panel.ClickOn(() => panel.Find("[data-testid=webhook-rotate]"));

        panel.WaitForAssertion(() =>
        {
            Assert.StartsWith(WebhookSecrets.Prefix, panel.Find("[data-testid=webhook-secret-value]").TextContent);
            Assert.Contains("update your receiver", panel.Find("[data-testid=webhook-message]").TextContent);
        });
        Assert.NotEqual(before, SecretNow());
        Assert.DoesNotContain(panel.FindComponents<MudTooltip>(), t => t.Instance.Text?.StartsWith("Click again to make a new secret") == true);
    }

    [Fact]
    public async Task TheDeliveryLogSaysWhatItShowsForTheConfiguredDaysAndRefreshesOnRequest()
    {
        var endpointId = await EndpointOfAsync("Support EMEA", "https://hooks.example.com/log");
        var panel = await RenderAsync("Support EMEA");
        panel.WaitForAssertion(() =>
        {
            var about = panel.Find("[data-testid=webhook-log-about]").TextContent;
            Assert.Contains("the last attempt's status, error and duration, and when the next retry is due; open a line to see every attempt", about);
            Assert.Contains("Kept for 14 days", about);
            Assert.Contains("for 14 days", panel.Find("[data-testid=webhook-deliveries]").TextContent);
            Assert.DoesNotContain("every retry", panel.Markup);
        });

        // A delivery the sender gave up on, written after the log was shown.
        await using (var db = portal.Factory.CreateDbContext())
        {
            var endpoint = await db.WebhookEndpoints.SingleAsync(e => e.Id == endpointId, Ct);
            var now = DateTime.UtcNow;
            var delivery = new WebhookDelivery
            {
                EndpointId = endpoint.Id, OrganizationId = endpoint.OrganizationId, EventId = "evt_log", EventType = WebhookEvents.BatchCompleted,
                Payload = "{}", CreatedAtUtc = now, NextAttemptAtUtc = now, LastAttemptAtUtc = now, State = WebhookDeliveryState.Failed,
                Attempts = 2, LastStatusCode = 503, LastError = "The endpoint answered 503 Service Unavailable.", LastDurationMs = 234,
            };
            db.WebhookDeliveries.Add(delivery);
            await db.SaveChangesAsync(Ct);
            db.WebhookAttempts.AddRange(
                new WebhookAttempt { DeliveryId = delivery.Id, OrganizationId = endpoint.OrganizationId, Number = 1, AtUtc = now.AddMinutes(-1), Error = "No answer within 10 seconds.", DurationMs = 10_000 },
                new WebhookAttempt { DeliveryId = delivery.Id, OrganizationId = endpoint.OrganizationId, Number = 2, AtUtc = now, StatusCode = 503, Error = "The endpoint answered 503 Service Unavailable.", DurationMs = 234 });
            await db.SaveChangesAsync(Ct);
        }
        Assert.DoesNotContain("234 ms", panel.Find("[data-testid=webhook-deliveries]").TextContent);

        panel.ClickOn(() => panel.Find("[data-testid=webhook-log-refresh]"));

        panel.WaitForAssertion(() =>
        {
            var log = panel.Find("[data-testid=webhook-deliveries]").TextContent;
            Assert.Contains("234 ms", log);
            Assert.Contains("Failed · 503", log);
            Assert.Contains("The endpoint answered 503 Service Unavailable.", panel.Find("[data-testid=webhook-log-error]").TextContent);
        });

        // Opening the line lists each attempt: when, the answer or why there was none, how long it took.
        panel.ClickOn(() => panel.Find("[data-testid=webhook-deliveries] tbody tr .mud-hierarchy-toggle-button, [data-testid=webhook-deliveries] tbody tr button"));
        panel.WaitForAssertion(() =>
        {
            var attempts = panel.FindAll("[data-testid=webhook-attempt]").Select(a => a.TextContent).ToList();
            Assert.Equal(2, attempts.Count);
            Assert.Contains("Attempt 1", attempts[0]);
            Assert.Contains("no answer", attempts[0]);
            Assert.Contains("No answer within 10 seconds.", attempts[0]);
            Assert.Contains("10,000 ms", attempts[0]);
            Assert.Contains("Attempt 2", attempts[1]);
            Assert.Contains("HTTP 503", attempts[1]);
            Assert.Contains("234 ms", attempts[1]);
        });
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
