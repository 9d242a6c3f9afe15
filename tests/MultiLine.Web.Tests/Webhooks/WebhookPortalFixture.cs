using MultiLine.Tests;

namespace MultiLine.Web.Tests.Webhooks;

/// <summary>
/// The real app whose webhook sender delivers to a real HTTPS receiver on loopback: private addresses allowed (as
/// tests set <c>Webhooks:AllowPrivateAddresses</c>), the receiver's certificate trusted by the production client.
/// </summary>
public sealed class WebhookPortalFixture : IAsyncLifetime
{
    public WebhookPortalFixture() =>
        Factory = new PortalFactory(settings: new Dictionary<string, string?>
        {
            ["Webhooks:AllowPrivateAddresses"] = "true",
            ["Webhooks:PollInterval"] = "00:00:00.200",
            ["Webhooks:RetentionDays"] = "14",
        }, services: services => TestWebhookReceiver.TrustIn(services, () => Receiver?.Certificate));

    public PortalFactory Factory { get; }
    public TestWebhookReceiver Receiver { get; private set; } = default!;

    public async ValueTask InitializeAsync() => Receiver = await TestWebhookReceiver.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
