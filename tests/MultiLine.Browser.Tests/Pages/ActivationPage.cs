using Microsoft.Playwright;

namespace MultiLine.Browser.Tests.Pages;

/// <summary>The public activation page an invitation email links to.</summary>
public sealed class ActivationPage(IPage page)
{
    public ILocator Heading => page.GetByRole(AriaRole.Heading, new() { Level = 1 });
    public ILocator Result => page.Locator("[data-testid=activation-result]");
    public ILocator Alert => page.GetByRole(AriaRole.Alert);
    public ILocator Choices => page.Locator(".ml-number-choices .mud-radio");

    /// <summary>Opens the link and waits until the page is interactive, so clicks count.</summary>
    public async Task OpenAsync(string link)
    {
        await page.GotoAsync(link);
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    public Task PickAsync(string e164) => page.GetByText(e164, new() { Exact = true }).ClickAsync();

    public Task ActivateAsync() => page.GetByRole(AriaRole.Button, new() { Name = "Activate" }).ClickAsync();
}
