using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using MultiLine.Core.Demo;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

public sealed class SignInTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private HttpClient NewClient() => portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [Fact]
    public async Task AnonymousRequestIsRedirectedToSignIn()
    {
        var response = await NewClient().GetAsync("/accounts", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin?ReturnUrl=%2Faccounts", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task SignInPageIsServedToAnonymousVisitors()
    {
        var html = await NewClient().GetStringAsync("/signin", TestContext.Current.CancellationToken);

        Assert.Contains("Sign in", html);
        Assert.Contains("name=\"Input.Password\"", html);
    }

    [Fact]
    public async Task CorrectPasswordSignsInAndOpensAccounts()
    {
        var client = NewClient();

        var response = await PortalClient.PostSignInAsync(client, PortalFactory.AdminEmail, PortalFactory.Password, "/accounts");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/accounts", new Uri(new Uri("http://localhost"), response.Headers.Location!).AbsolutePath);
        var accounts = await client.GetAsync("/accounts", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, accounts.StatusCode);
        Assert.Contains("<title>Accounts · MultiLine Portal</title>", await accounts.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task WrongPasswordIsRefusedWithAMessage()
    {
        var client = NewClient();

        var response = await PortalClient.PostSignInAsync(client, DemoDataSeeder.ScopedAdminEmail, "not-the-password");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The email or password is not correct.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var accounts = await client.GetAsync("/accounts", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, accounts.StatusCode);
    }

    [Fact]
    public async Task UnknownEmailGetsTheSameMessageAsAWrongPassword()
    {
        var response = await PortalClient.PostSignInAsync(NewClient(), "nobody@multiline.example", PortalFactory.Password);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("The email or password is not correct.", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task FiveWrongPasswordsLockTheAdminOutEvenForTheRightPassword()
    {
        var client = NewClient();
        for (var attempt = 1; attempt <= 4; attempt++)
            await PortalClient.PostSignInAsync(client, PortalFixture.LockoutAdminEmail, "wrong");

        var fifth = await PortalClient.PostSignInAsync(client, PortalFixture.LockoutAdminEmail, "wrong");
        var withRightPassword = await PortalClient.PostSignInAsync(client, PortalFixture.LockoutAdminEmail, PortalFactory.Password);

        Assert.Contains("Too many failed attempts. This account is locked; try again in 5 minutes.", await fifth.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.BadRequest, withRightPassword.StatusCode);
        Assert.Contains("Too many failed attempts.", await withRightPassword.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AdminWithoutAccountsPrivilegeCannotOpenAccounts()
    {
        var client = NewClient();
        await PortalClient.SignInAsync(client, DemoDataSeeder.ReportsAdminEmail);

        var response = await client.GetAsync("/accounts", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/access-denied", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task SignOutEndsTheSession()
    {
        var client = NewClient();
        await PortalClient.SignInAsync(client, PortalFactory.AdminEmail);
        var page = await client.GetStringAsync("/reports", TestContext.Current.CancellationToken);
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        var signOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), TestContext.Current.CancellationToken);
        var after = await client.GetAsync("/accounts", TestContext.Current.CancellationToken);

        Assert.Equal("/signin?signedOut=true", signOut.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }
}
