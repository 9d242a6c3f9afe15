using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Admins;
using MultiLine.Tests;
using MultiLine.Web.Extensions;

namespace MultiLine.Web.Tests.Integration;

/// <summary>Lockout under parallel attempts, an unknown email answered like a known one, and the headers of every response.</summary>
public sealed class LockoutAndHeaderTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    private AdminSignIn SignIn() => portal.Factory.Services.CreateScope().ServiceProvider.GetRequiredService<AdminSignIn>();

    [Fact]
    public async Task SixtyParallelWrongPasswordsLetExactlyFiveAttemptsThrough()
    {
        var email = "parallel.lockout@multiline.example";
        await portal.AddAdminAsync(email);

        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => Task.Run(() => SignIn().SignInAsync(email, "wrong-password", null, Cancel), Cancel)));

        // Each attempt let through to the password check is counted once; the other 55 never reach it.
        Assert.All(results, r => Assert.False(r.Succeeded));
        await using (var db = portal.Factory.CreateDbContext())
            Assert.Equal(SignInRules.MaxFailedAttempts, db.SignInThrottles.Single(t => t.NormalizedEmail == email.ToUpperInvariant()).Failures);
        Assert.True(results.Count(r => r.Error == AdminSignIn.WrongCredentials) <= SignInRules.MaxFailedAttempts - 1);
        Assert.True(results.Count(r => r.Error!.StartsWith("Too many failed attempts", StringComparison.Ordinal)) >= 60 - SignInRules.MaxFailedAttempts);
        var locked = await SignIn().SignInAsync(email, PortalFactory.Password, null, Cancel);
        Assert.False(locked.Succeeded);
    }

    [Fact]
    public async Task AnUnknownEmailGetsExactlyTheAnswersOfAKnownOne()
    {
        var known = "known.lockout@multiline.example";
        await portal.AddAdminAsync(known);
        var unknown = "nobody.here@multiline.example";

        var knownAnswers = new List<string?>();
        var unknownAnswers = new List<string?>();
        for (var attempt = 0; attempt < SignInRules.MaxFailedAttempts + 2; attempt++)
        {
            knownAnswers.Add((await SignIn().SignInAsync(known, "wrong-password", null, Cancel)).Error);
            unknownAnswers.Add((await SignIn().SignInAsync(unknown, "wrong-password", null, Cancel)).Error);
        }

        Assert.Equal(knownAnswers, unknownAnswers);
        Assert.StartsWith("Too many failed attempts", unknownAnswers[^1]);
    }

    [Fact]
    public async Task EveryResponseCarriesTheSecurityHeadersAndApiAndDownloadsAreNotCached()
    {
        var client = portal.Factory.CreateClient(new() { AllowAutoRedirect = false });
        await PortalClient.SignInAsync(client, PortalFactory.AdminEmail);

        foreach (var path in new[] { "/signin", "/accounts", "/api/v1/accounts", "/openapi/v1.json", "/app.css" })
        {
            var response = await client.GetAsync(path, Cancel);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Equal(HostingExtensions.ContentSecurityPolicy, csp);
        }
        Assert.True((await client.GetAsync("/api/v1/accounts", Cancel)).Headers.CacheControl!.NoStore);
        var organization = portal.Factory.CreateDbContext().Organizations.First().Id;
        var template = await client.GetAsync($"/templates/multiline-accounts.csv?organization={organization}", Cancel);
        Assert.Equal(HttpStatusCode.OK, template.StatusCode);
        Assert.True(template.Headers.CacheControl!.NoStore);
    }

    [Fact]
    public async Task APageFarPastTheEndIsEmptyNotAnError()
    {
        var client = portal.Factory.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new("Bearer", await portal.SuperTokenAsync());

        var response = await client.GetAsync($"/api/v1/accounts?page={int.MaxValue}&pageSize={int.MaxValue}", Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"items\":[]", await response.Content.ReadAsStringAsync(Cancel));
    }
}
