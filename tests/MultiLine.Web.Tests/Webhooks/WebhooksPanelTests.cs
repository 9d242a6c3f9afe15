using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
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
            Assert.DoesNotContain(panel.FindAll("[data-testid=webhook-endpoints] tbody tr"), r => r.TextContent.Contains("hooks.example.com"));
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

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
