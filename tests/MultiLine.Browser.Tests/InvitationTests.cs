using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using MultiLine.Browser.Tests.Pages;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Tests;
using static Microsoft.Playwright.Assertions;

namespace MultiLine.Browser.Tests;

/// <summary>The portal configured with a real SMTP server on 127.0.0.1, as a deployment with a mail server would be.</summary>
public sealed class MailBrowserFixture : BrowserFixture
{
    // A port per fixture (one per test class), not one static port for all: two classes sharing one met "Address already
    // in use" when the second started while the first's server still held it.
    private readonly int _port;

    public MailBrowserFixture() : this(TestSmtpServer.FreePort()) { }

    private MailBrowserFixture(int port) : base(new Dictionary<string, string?>
    {
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = port.ToString(),
        ["Smtp:TlsMode"] = "None",
    }) => _port = port;

    public TestSmtpServer Smtp { get; private set; } = default!;

    public override async ValueTask InitializeAsync()
    {
        Smtp = await TestSmtpServer.StartAsync(_port);
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed partial class InvitationTests(MailBrowserFixture browser) : IClassFixture<MailBrowserFixture>
{
    [GeneratedRegex(@"https?://\S+/activate/[A-Za-z0-9_-]+")]
    private static partial Regex ActivationLink();

    private async Task<Account> InviteNewAccountAsync(string username, Language language)
    {
        await using var db = browser.Portal.CreateDbContext();
        var acme = await db.Organizations.SingleAsync(o => o.Name == "Acme Corp", TestContext.Current.CancellationToken);
        var group = await db.PermissionGroups.FirstAsync(g => g.OrganizationId == acme.Id && g.IsDefault, TestContext.Current.CancellationToken);
        var account = new Account
        {
            Username = username, NormalizedUsername = username, Language = language,
            FirstName = System.Globalization.CultureInfo.InvariantCulture.TextInfo.ToTitleCase(username.Split('.')[0]),
            LastName = System.Globalization.CultureInfo.InvariantCulture.TextInfo.ToTitleCase(username.Split('.', '@')[1]),
            OrganizationId = acme.Id, PermissionGroupId = group.Id, CreatedAtUtc = DateTime.UtcNow,
        };
        db.Accounts.Add(account);
        var outcome = await browser.Portal.Services.GetRequiredService<InvitationIssuer>().QueueAsync(db, account, TestContext.Current.CancellationToken);
        Assert.True(outcome.Succeeded, outcome.Reason);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return account;
    }

    [Fact]
    public async Task UserFollowsTheLinkInTheEmailPicksANumberAndIsActive()
    {
        var account = await InviteNewAccountAsync("giulia.ricci@acme.example", Language.Italian);
        var email = await browser.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == account.Username));
        Assert.Equal("Giulia, il tuo numero aziendale MultiLine è pronto", email.Subject);
        var link = ActivationLink().Match(email.TextBody ?? "").Value;

        var page = await browser.NewPageAsync();
        var activation = new ActivationPage(page);
        await activation.OpenAsync(link);
        await Expect(activation.Heading).ToHaveTextAsync("Activate your account");
        await Expect(page.GetByText("giulia.ricci@acme.example · Acme Corp")).ToBeVisibleAsync();
        await Expect(activation.Choices).ToHaveCountAsync(5);
        var picked = (await activation.Choices.Nth(1).InnerTextAsync()).Trim();
        await activation.PickAsync(picked);
        await Screenshots.SaveAsync(page, "20-activation-pick-number");

        await activation.ActivateAsync();

        await Expect(activation.Result).ToContainTextAsync($"Your business number is {picked}.");
        await Screenshots.SaveAsync(page, "21-activation-done");
        await using var db = browser.Portal.CreateDbContext();
        var saved = await db.Accounts.Include(a => a.Number).SingleAsync(a => a.Id == account.Id, TestContext.Current.CancellationToken);
        Assert.Equal(AccountStatus.Active, saved.Status);
        Assert.Equal(picked, saved.Number!.E164);
        Assert.Equal(NumberState.Registered, saved.Number.State);

        await activation.OpenAsync(link);
        await Expect(activation.Alert).ToContainTextAsync("This invitation has already been used.");
        await Screenshots.SaveAsync(page, "22-activation-used");
    }

    [Fact]
    public async Task AdminChangesSettingsEditsATemplateAndSeesTheChangeHistory()
    {
        var page = await browser.SignedInPageAsync("settings");
        var settings = new SettingsPage(page);
        await settings.SaveSettings.WaitForAsync();

        await settings.Domains.FillAsync("acme.example, sales.acme.example");
        await settings.SaveSettings.ClickAsync();

        await Expect(settings.Audit).ToContainTextAsync("Allowed email domains");
        await Expect(settings.Audit).ToContainTextAsync("acme.example, sales.acme.example");
        await Screenshots.SaveAsync(page, "23-settings-general");

        await settings.TemplatesTab.ClickAsync();
        await Expect(settings.PreviewSubject).ToHaveTextAsync("Your MultiLine business number is ready, Ava");
        await Screenshots.SaveAsync(page, "24-settings-templates");

        var invited = await InviteNewAccountAsync("luca.bianchi@acme.example", Language.German);
        await browser.Smtp.WaitForAsync(m => m.To.Mailboxes.Any(a => a.Address == invited.Username));
        await page.GotoAsync("outbox");
        await Expect(page.Locator("[data-testid=transport]")).ToContainTextAsync("Emails are sent through 127.0.0.1");
        await Expect(page.Locator("table tbody tr.mud-table-row").Filter(new() { HasText = "luca.bianchi@acme.example" })).ToContainTextAsync("Sent");
        await Screenshots.SaveAsync(page, "25-outbox-smtp");
    }
}

/// <summary>The embedded default: no mail server, emails saved as .eml files and listed on the Outbox page.</summary>
public sealed class PickupOutboxTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task OutboxPageSaysEmailsAreSavedAsFilesAndListsThem()
    {
        await using (var db = browser.Portal.CreateDbContext())
        {
            var account = await db.Accounts.OrderBy(a => a.Id)
                .FirstAsync(a => a.Status == AccountStatus.NotInvited && a.Organization!.Name == "Acme Sales" && a.NormalizedUsername.Contains("@") && a.Number != null, TestContext.Current.CancellationToken);
            var outcome = await browser.Portal.Services.GetRequiredService<InvitationIssuer>().QueueAsync(db, account, TestContext.Current.CancellationToken);
            Assert.True(outcome.Succeeded, outcome.Reason);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        await browser.Portal.Services.GetRequiredService<Core.Invitations.Outbox.OutboxSender>().DeliverDueAsync(TestContext.Current.CancellationToken);

        var page = await browser.SignedInPageAsync("outbox");

        await Expect(page.Locator("[data-testid=transport]")).ToContainTextAsync("No mail server is configured");
        await Expect(page.Locator("table tbody tr.mud-table-row").First).ToContainTextAsync("Saved as .eml");
        await Screenshots.SaveAsync(page, "26-outbox-pickup-folder");
    }
}
