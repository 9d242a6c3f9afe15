using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>A super admin invites an administrator with a limited role; the new admin sets a password from the email and signs in.</summary>
public sealed partial class AdministratorInvitationTests(MailBrowserFixture browser) : IClassFixture<MailBrowserFixture>
{
    [GeneratedRegex(@"https?://\S+/admin/set-password\?token=[A-Za-z0-9_%\-]+")]
    private static partial Regex SetPasswordLink();

    [Fact]
    public async Task AnInvitedAdministratorSetsAPasswordFromTheEmailAndSeesOnlyWhatTheirRoleAllows()
    {
        var email = $"rita.{Guid.NewGuid():N}"[..13] + "@acme.example";
        const string password = "Reports-only-2026!";

        var admin = await browser.SignedInPageAsync("admin/administrators");
        await admin.Locator("[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add administrator" }).ClickAsync();
        var dialog = admin.Locator(".mud-dialog");
        await dialog.GetByLabel("Name", new() { Exact = true }).FillAsync("Rita Reports");
        await dialog.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await dialog.GetByLabel("Role").ClickAsync();
        await admin.Locator(".mud-popover-open .mud-list-item").Filter(new() { HasText = "Report Viewer" }).ClickAsync();
        await Expect(dialog.GetByLabel("Scope")).ToBeEnabledAsync();
        await dialog.GetByLabel("Scope").ClickAsync();
        await admin.Locator(".mud-popover-open .mud-list-item").GetByText("Acme Corp", new() { Exact = true }).ClickAsync();
        await Screenshots.SaveAsync(admin, "60-add-administrator");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send invitation" }).ClickAsync();
        var row = admin.Locator("tbody tr").Filter(new() { HasText = email });
        await Expect(row).ToContainTextAsync("Invited");
        await Expect(row).ToContainTextAsync("Acme Corp");

        var message = await browser.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == email));
        Assert.DoesNotContain(password, message.TextBody ?? "");
        var link = SetPasswordLink().Match(message.TextBody ?? "").Value;
        Assert.NotEmpty(link);

        var invited = await browser.NewPageAsync();
        await invited.GotoAsync(link);
        await invited.Locator("[data-interactive=true]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await Expect(invited.GetByText("Rita Reports")).ToBeVisibleAsync();
        await invited.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await invited.GetByLabel("Confirm password", new() { Exact = true }).FillAsync(password);
        await Screenshots.SaveAsync(invited, "61-set-password");
        await invited.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();

        await Expect(invited).ToHaveURLAsync(new Regex("/signin"));
        await Expect(invited.GetByRole(AriaRole.Status)).ToContainTextAsync("Your password is set");
        await new SignInPage(invited).SignInAsync(email, password);
        var nav = invited.Locator(".mud-nav-link");
        await Expect(nav.Filter(new() { HasText = "Batch Operation Reports" })).ToBeVisibleAsync();
        await Expect(nav.Filter(new() { HasText = "Accounts" })).ToHaveCountAsync(0);
        await Expect(nav.Filter(new() { HasText = "Administrators" })).ToHaveCountAsync(0);
        await Expect(nav.Filter(new() { HasText = "Roles and Privileges" })).ToHaveCountAsync(0);

        await invited.GotoAsync(link);
        await Expect(invited.GetByRole(AriaRole.Alert)).ToContainTextAsync("already been used");
    }
}
