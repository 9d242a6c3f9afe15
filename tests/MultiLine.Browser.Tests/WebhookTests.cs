using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Core.Webhooks;
using MultiLine.Tests;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>The portal with a real HTTPS webhook receiver on 127.0.0.1 whose self-signed certificate its webhook client trusts.</summary>
public sealed class WebhookBrowserFixture : BrowserFixture
{
    private readonly ReceiverSlot _slot;

    public WebhookBrowserFixture() : this(new ReceiverSlot()) { }

    // The portal's services are built after this constructor and the receiver starts before the portal, so the trust
    // reads the receiver's certificate through the slot when the client is first made.
    private WebhookBrowserFixture(ReceiverSlot slot) : base(new Dictionary<string, string?>
    {
        ["Webhooks:AllowPrivateAddresses"] = "true",
        ["Webhooks:PollInterval"] = "00:00:00.200",
    }, services => TestWebhookReceiver.TrustIn(services, () => slot.Receiver?.Certificate)) => _slot = slot;

    public TestWebhookReceiver Receiver => _slot.Receiver!;

    public override async ValueTask InitializeAsync()
    {
        _slot.Receiver = await TestWebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_slot.Receiver is not null)
            await _slot.Receiver.DisposeAsync();
    }

    private sealed class ReceiverSlot
    {
        public TestWebhookReceiver? Receiver { get; set; }
    }
}

public sealed class WebhookTests(WebhookBrowserFixture browser) : IClassFixture<WebhookBrowserFixture>
{
    [Fact]
    public async Task AdminAddsAnEndpointSendsATestEventAndTheReceiverGetsItSigned()
    {
        var page = await browser.SignedInPageAsync("settings");
        var settings = new SettingsPage(page);
        await settings.SaveSettings.WaitForAsync();
        var webhooks = new WebhooksSection(page);
        await webhooks.Tab.ClickAsync();

        await webhooks.AddEndpointAsync(browser.Receiver.Url);
        await Expect(webhooks.Secret).ToContainTextAsync(WebhookSecrets.Prefix);
        var secret = (await webhooks.Secret.InnerTextAsync()).Trim();
        await Expect(webhooks.Endpoints).ToContainTextAsync(browser.Receiver.Url);

        var before = browser.Receiver.Received.Count;
        await webhooks.SendTest(browser.Receiver.Url).ClickAsync();

        var received = (await browser.Receiver.WaitForAsync(before + 1)).Last(r => r.Event == WebhookEvents.Test);
        Assert.True(WebhookSignature.Verify(secret, received.Signature!, received.Body, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)),
            $"The signature {received.Signature} does not match the secret shown on the page.");
        await Expect(webhooks.TestResult).ToContainTextAsync("Test event delivered: the endpoint answered 200");
        await Expect(webhooks.Deliveries).ToContainTextAsync(WebhookEvents.Test);
        await Expect(webhooks.Deliveries).ToContainTextAsync("Delivered · 200");
        await Expect(webhooks.Endpoints).ToContainTextAsync("Delivered · 200");
        // Opening the delivery's line lists its attempts.
        await webhooks.Deliveries.Locator("tbody tr").First.GetByRole(AriaRole.Button).First.ClickAsync();
        await Expect(webhooks.Deliveries.Locator("[data-testid=webhook-attempt]").First).ToContainTextAsync("Attempt 1");
        await Expect(webhooks.Deliveries.Locator("[data-testid=webhook-attempt]").First).ToContainTextAsync("HTTP 200");
        await Screenshots.SaveAsync(page, "40-settings-webhooks");
        await page.SetViewportSizeAsync(390, 844);
        await Screenshots.SaveAsync(page, "40-settings-webhooks-phone");
    }
}
