using System.Net;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Admins;
using MultiLine.Core.Demo;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

/// <summary>Sessions end on the server, and a change to the admin ends them at the next request.</summary>
public sealed class SessionTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    private async Task<(HttpClient Client, CookieContainer Cookies)> SignedInAsync(string email)
    {
        var cookies = new CookieContainer();
        var client = Client(cookies);
        await PortalClient.SignInAsync(client, email);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/reports", Cancel)).StatusCode);
        return (client, cookies);
    }

    /// <summary>The same cookie, replayed by another client, as an attacker holding a copy would.</summary>
    private HttpClient Replay(CookieContainer cookies)
    {
        var copy = new CookieContainer();
        copy.Add(cookies.GetAllCookies());
        return Client(copy);
    }

    private HttpClient Client(CookieContainer cookies) => portal.Factory.CreateDefaultClient(new CookieJar(cookies));

    /// <summary>Keeps cookies for the in-memory test server, without following redirects.</summary>
    private sealed class CookieJar(CookieContainer cookies) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0)
                request.Headers.Add("Cookie", header);
            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
                foreach (var value in values)
                    cookies.SetCookies(request.RequestUri!, value);
            return response;
        }
    }

    private static async Task<HttpResponseMessage> SignOutAsync(HttpClient client, bool withToken = true)
    {
        var page = await client.GetStringAsync("/accounts", Cancel);
        var token = PortalClient.AntiforgeryTokenIn(page);
        var form = new Dictionary<string, string>();
        if (withToken)
            form["__RequestVerificationToken"] = token;
        return await client.PostAsync("/signout", new FormUrlEncodedContent(form), Cancel);
    }

    [Fact]
    public async Task AfterSignOutTheOldCookieIsRefused()
    {
        var (client, cookies) = await SignedInAsync(PortalFactory.AdminEmail);
        using var stolen = Replay(cookies);

        var signOut = await SignOutAsync(client);

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/signin?signedOut=true", signOut.Headers.Location!.OriginalString);
        var replayed = await stolen.GetAsync("/accounts", Cancel);
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.StartsWith("/signin", replayed.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task SignOutWithoutTheAntiforgeryTokenIsRefusedAndTheSessionStays()
    {
        var (client, _) = await SignedInAsync(PortalFactory.AdminEmail);

        var signOut = await SignOutAsync(client, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/accounts", Cancel)).StatusCode);
    }

    [Fact]
    public async Task SignOutIsNotAGet()
    {
        var (client, _) = await SignedInAsync(PortalFactory.AdminEmail);

        var response = await client.GetAsync("/signout", Cancel);

        Assert.NotEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/accounts", Cancel)).StatusCode);
    }

    [Fact]
    public async Task ARoleChangeEndsTheSessionAtTheNextRequest()
    {
        var (client, _) = await SignedInAsync(DemoDataSeeder.ScopedAdminEmail);
        await using (var db = portal.Factory.CreateDbContext())
        {
            var admin = await db.Admins.SingleAsync(a => a.Email == DemoDataSeeder.ScopedAdminEmail, Cancel);
            var original = admin.RoleId;
            admin.RoleId = (await db.Roles.SingleAsync(r => r.Name == "Report Viewer", Cancel)).Id;
            await db.SaveChangesAsync(Cancel);
            try
            {
                var response = await client.GetAsync("/accounts", Cancel);
                Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            }
            finally
            {
                admin.RoleId = original;
                await db.SaveChangesAsync(Cancel);
            }
        }
    }

    [Fact]
    public async Task AScopeChangeOrADisabledAdminEndsTheSessionAtTheNextRequest()
    {
        var (scopeClient, _) = await SignedInAsync(PortalFixture.LockoutAdminEmail);
        var (disableClient, _) = await SignedInAsync(PortalFixture.LockoutAdminEmail);
        await using var db = portal.Factory.CreateDbContext();
        var admin = await db.Admins.SingleAsync(a => a.Email == PortalFixture.LockoutAdminEmail, Cancel);

        admin.ScopeOrganizationId = (await db.Organizations.FirstAsync(o => o.Name == "Acme Sales", Cancel)).Id;
        await db.SaveChangesAsync(Cancel);
        Assert.Equal(HttpStatusCode.Redirect, (await scopeClient.GetAsync("/accounts", Cancel)).StatusCode);

        admin.ScopeOrganizationId = null;
        admin.IsDisabled = true;
        await db.SaveChangesAsync(Cancel);
        try
        {
            Assert.Equal(HttpStatusCode.Redirect, (await disableClient.GetAsync("/accounts", Cancel)).StatusCode);
            var again = await PortalClient.PostSignInAsync(Client(new CookieContainer()), PortalFixture.LockoutAdminEmail, PortalFactory.Password);
            Assert.Contains(WebUtility.HtmlEncode(AdminSignIn.Disabled), await again.Content.ReadAsStringAsync(Cancel));
        }
        finally
        {
            admin.IsDisabled = false;
            await db.SaveChangesAsync(Cancel);
        }
    }

    [Fact]
    public async Task APasswordChangeEndsTheSessionAtTheNextRequest()
    {
        var (client, _) = await SignedInAsync(DemoDataSeeder.ReportsAdminEmail);
        await using var db = portal.Factory.CreateDbContext();
        var admin = await db.Admins.SingleAsync(a => a.Email == DemoDataSeeder.ReportsAdminEmail, Cancel);
        var original = admin.PasswordHash;
        admin.PasswordHash = new Microsoft.AspNetCore.Identity.PasswordHasher<Admin>().HashPassword(admin, "A-New-Password-2026");
        await db.SaveChangesAsync(Cancel);
        try
        {
            Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/reports", Cancel)).StatusCode);
        }
        finally
        {
            admin.PasswordHash = original;
            await db.SaveChangesAsync(Cancel);
        }
    }
}
