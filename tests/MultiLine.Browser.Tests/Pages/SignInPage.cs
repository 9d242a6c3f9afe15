using Microsoft.Playwright;

namespace MultiLine.Browser.Tests.Pages;

/// <summary>The sign-in form, driven by its labels and roles.</summary>
public sealed class SignInPage(IPage page)
{
    public ILocator Alert => page.GetByRole(AriaRole.Alert);

    public async Task OpenAsync(string path = "signin") => await page.GotoAsync(path);

    public async Task SignInAsync(string email, string password)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
