using Microsoft.Playwright;

namespace MultiLine.Browser.Tests.Pages;

/// <summary>The per-organization Settings page: general settings, invitation templates, change history.</summary>
public sealed class SettingsPage(IPage page)
{
    public ILocator SaveSettings => page.GetByRole(AriaRole.Button, new() { Name = "Save settings" });
    public ILocator Domains => page.GetByLabel("Allowed email domains for invitations");
    public ILocator Audit => page.Locator("[data-testid=settings-audit]");
    public ILocator TemplatesTab => page.GetByRole(AriaRole.Tab, new() { Name = "Invitation templates" });
    public ILocator PreviewSubject => page.Locator("[data-testid=preview-subject]");

    public async Task OpenAsync()
    {
        await page.GotoAsync("settings");
        await SaveSettings.WaitForAsync();
    }
}
