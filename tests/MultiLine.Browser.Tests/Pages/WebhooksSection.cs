using Microsoft.Playwright;

namespace MultiLine.Browser.Tests.Pages;

/// <summary>The Webhooks tab of the Settings page: endpoints, the add form, the secret, the test result and the delivery log.</summary>
public sealed class WebhooksSection(IPage page)
{
    public ILocator Tab => page.GetByRole(AriaRole.Tab, new() { Name = "Webhooks" });
    public ILocator Add => page.Locator("[data-testid=webhook-add]");
    public ILocator Url => page.Locator("#webhook-url");
    public ILocator Save => page.Locator("[data-testid=webhook-save]");
    public ILocator Secret => page.Locator("[data-testid=webhook-secret-value]");
    public ILocator Endpoints => page.Locator("[data-testid=webhook-endpoints]");
    public ILocator TestResult => page.Locator("[data-testid=webhook-test-result]");
    public ILocator Deliveries => page.Locator("[data-testid=webhook-deliveries]");

    public ILocator SendTest(string url) => Endpoints.Locator("tr", new() { HasText = url }).GetByRole(AriaRole.Button, new() { Name = "Send test event" });

    public async Task AddEndpointAsync(string url)
    {
        await Add.ClickAsync();
        await Url.FillAsync(url);
        await Save.ClickAsync();
    }
}
