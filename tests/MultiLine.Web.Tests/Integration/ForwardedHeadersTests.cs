using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

/// <summary>Behind a TLS-terminating proxy on loopback (trusted by default) the portal sees https and the client's address.</summary>
public sealed class ForwardedHeadersTests : IAsyncLifetime
{
    private readonly PortalFactory _portal = new(demoAccounts: 10);
    private Uri _address = default!;

    public ValueTask InitializeAsync()
    {
        _address = _portal.StartOnLoopback();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task BehindATlsProxyTheCookiesAreSecure()
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = _address };
        var direct = await client.GetAsync("/signin", TestContext.Current.CancellationToken);
        var request = new HttpRequestMessage(HttpMethod.Get, "/signin");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");

        var proxied = await client.SendAsync(request, TestContext.Current.CancellationToken);

        // The antiforgery cookie of the form page is Secure only when the browser used https.
        Assert.Contains(proxied.Headers.GetValues("Set-Cookie"), c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(direct.Headers.GetValues("Set-Cookie"), c => c.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    public ValueTask DisposeAsync() => _portal.DisposeAsync();
}
