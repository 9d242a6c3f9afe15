using Microsoft.Playwright;
using MultiLine.Tests;

namespace MultiLine.Browser.Tests;

/// <summary>
/// One portal on a loopback port and one headless Chromium per test class. Chromium is Debian's
/// (<c>/usr/bin/chromium</c>, or <c>CHROMIUM_PATH</c>); the test command installs it when missing.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public BrowserFixture() : this(null) { }

    /// <param name="settings">Extra app configuration, such as a test SMTP server's host and port.</param>
    /// <param name="services">Test-only service changes, such as trusting a test webhook receiver's certificate.</param>
    protected BrowserFixture(IReadOnlyDictionary<string, string?>? settings, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null) =>
        Portal = new(demoAccounts: 120, settings, services);

    public PortalFactory Portal { get; }
    public IBrowser Browser { get; private set; } = default!;
    public Uri Address { get; private set; } = default!;

    public virtual async ValueTask InitializeAsync()
    {
        Address = Portal.StartOnLoopback();
        // Auto-waiting assertions get the same patience as actions: CI machines are busy.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>A new page, signed in as the demo super admin, on <paramref name="path"/>.</summary>
    public async Task<IPage> SignedInPageAsync(string path)
    {
        var page = await NewPageAsync();
        var signIn = new Pages.SignInPage(page);
        await signIn.OpenAsync(path);
        await signIn.SignInAsync(PortalFactory.AdminEmail, PortalFactory.Password);
        return page;
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Address.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        await Portal.DisposeAsync();
    }
}
