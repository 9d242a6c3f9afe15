using System.Net;
using System.Text.RegularExpressions;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

/// <summary>What every page stands on: the not-found page inside the layout, and no request to another host.</summary>
public sealed partial class PageShellTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] SignedInPages =
        ["/accounts", "/numbers", "/reports", "/outbox", "/settings", "/settings/api-tokens", "/not-found", "/no-such-page"];

    private static readonly string[] AnonymousPages = ["/signin", "/activate/not-a-token", "/not-found"];

    [Fact]
    public async Task AnUnknownAddressAnswers404WithTheNotFoundPageInsideTheLayoutAndAWayBackToAccounts()
    {
        var client = await SignedInClientAsync();

        var response = await client.GetAsync("/accounts/no/such/page", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Page not found", html);
        Assert.Matches("<a[^>]+href=\"accounts\"[^>]*>Go to Accounts</a>", html);
        // The layout: the app bar and the navigation around the page.
        Assert.Contains("mud-appbar", html);
        Assert.Contains("Batch Operation Reports", html);
        Assert.Contains("Sign out", html);
    }

    [Fact]
    public async Task AnUnknownAddressAsksSomeoneSignedOutToSignInFirst()
    {
        var client = portal.Factory.CreateClient(new() { AllowAutoRedirect = false });

        var response = await client.GetAsync("/no-such-page", Ct);

        // Every page but sign-in and activation needs an admin: which addresses exist is not told to strangers.
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location!.OriginalString.Replace("http://localhost", ""));
    }

    [Fact]
    public async Task AnUnknownApiAddressStaysAPlain404ForPrograms()
    {
        var client = await SignedInClientAsync();

        client.DefaultRequestHeaders.Authorization = new("Bearer", await portal.SuperTokenAsync());

        var response = await client.GetAsync("/api/v1/no-such-thing", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("Page not found", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task TheMainPagesAndTheirStylesReferenceNoOtherHost()
    {
        var anonymous = portal.Factory.CreateClient(new() { AllowAutoRedirect = false });
        var signedIn = await SignedInClientAsync();
        var checkedPages = new List<string>();

        foreach (var (client, path) in AnonymousPages.Select(p => (anonymous, p)).Concat(SignedInPages.Select(p => (signedIn, p))))
        {
            var html = await client.GetStringOrErrorPageAsync(path);
            Assert.Contains("<html", html);
            Assert.Empty(ForeignReferences(html, path));
            foreach (var stylesheet in Stylesheets(html))
            {
                var css = await client.GetStringAsync(stylesheet, Ct);
                Assert.Empty(ForeignReferences(css, stylesheet));
            }
            checkedPages.Add(path);
        }

        Assert.Equal(AnonymousPages.Length + SignedInPages.Length, checkedPages.Count);
    }

    [Fact]
    public async Task RobotoIsServedByThePortalItself()
    {
        var client = portal.Factory.CreateClient();
        var html = await client.GetStringAsync("/signin", Ct);

        var fonts = Assert.Single(Stylesheets(html), s => s.Contains("roboto", StringComparison.OrdinalIgnoreCase));
        var css = await client.GetStringAsync(fonts, Ct);
        var files = CssUrls().Matches(css).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Contains("font-family: 'Roboto'", css);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var response = await client.GetAsync(new Uri(new Uri(client.BaseAddress!, fonts), file), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("font/woff2", response.Content.Headers.ContentType?.MediaType);
        }
    }

    private async Task<HttpClient> SignedInClientAsync()
    {
        var client = portal.Factory.CreateClient(new() { AllowAutoRedirect = false });
        await PortalClient.SignInAsync(client, PortalFactory.AdminEmail);
        return client;
    }

    /// <summary>Absolute or protocol-relative addresses in src/href attributes, CSS url() and @import.</summary>
    private static List<string> ForeignReferences(string text, string where) =>
        Reference().Matches(text).Select(m => m.Groups["address"].Value)
            .Where(address => !address.StartsWith("http://localhost", StringComparison.OrdinalIgnoreCase))
            .Select(address => $"{where}: {address}")
            .ToList();

    private static IEnumerable<string> Stylesheets(string html) =>
        StylesheetLink().Matches(html).Select(m => "/" + (m.Groups[1].Success ? m.Groups[1] : m.Groups[2]).Value.TrimStart('/'));

    [GeneratedRegex("""(?:\b(?:src|href|srcset|action)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])(?<address>(?:https?:)?//[^"')\s>]+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Reference();

    [GeneratedRegex("<link[^>]+rel=\"stylesheet\"[^>]+href=\"([^\"]+)\"|<link[^>]+href=\"([^\"]+)\"[^>]+rel=\"stylesheet\"", RegexOptions.IgnoreCase)]
    private static partial Regex StylesheetLink();

    [GeneratedRegex("""url\(\s*["']?([^"')]+)["']?\s*\)""")]
    private static partial Regex CssUrls();
}

internal static class HttpClientPages
{
    /// <summary>The page's HTML whatever its status (the not-found page answers 404 with a full page).</summary>
    public static async Task<string> GetStringOrErrorPageAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{path} answered {(int)response.StatusCode}.");
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}
