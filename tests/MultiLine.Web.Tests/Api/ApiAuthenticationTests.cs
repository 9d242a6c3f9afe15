using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Admins;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Api;

/// <summary>Bearer tokens only: missing, unknown, revoked and expired tokens get 401 problems; a role without API Users gets 403.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiAuthenticationTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RequestWithoutTokenGets401ProblemWithBearerChallenge()
    {
        using var client = api.Client(token: null);

        var response = await client.GetAsync("/api/v1/organizations", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct);
        Assert.Contains("Authorization: Bearer", problem!.Detail);
    }

    [Theory]
    [InlineData("unknown", ApiTokens.Unknown)]
    [InlineData("revoked", ApiTokens.Revoked)]
    [InlineData("expired", ApiTokens.Expired)]
    public async Task RefusedTokenGets401WithTheReason(string kind, string reason)
    {
        var token = kind switch { "revoked" => api.RevokedToken, "expired" => api.ExpiredToken, _ => "mlp_not_a_real_token_at_all" };
        using var client = api.Client(token);

        var response = await client.GetAsync("/api/v1/accounts", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(reason, (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }

    [Fact]
    public async Task SignInCookieDoesNotOpenTheApiAndNeverRedirects()
    {
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = api.Address };
        await PortalClient.SignInAsync(client, PortalFactory.AdminEmail);

        var response = await client.GetAsync("/api/v1/organizations", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TokenOfAnAdminWithoutApiUsersPrivilegeGets403Problem()
    {
        using var client = api.Client(api.ReportsToken);

        var response = await client.GetAsync("/api/v1/batches", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("API Users", (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }

    [Fact]
    public async Task UsingATokenRecordsWhenItWasLastUsed()
    {
        using var client = api.Client(api.ScopedToken);

        var response = await client.GetAsync("/api/v1/organizations", Ct);

        response.EnsureSuccessStatusCode();
        await using var db = api.Factory.CreateDbContext();
        var token = await db.ApiTokens.SingleAsync(t => t.Id == api.ScopedTokenId, Ct);
        Assert.NotNull(token.LastUsedAtUtc);
    }

    [Fact]
    public async Task TokenIsStoredOnlyAsItsHashAndStopsWorkingOnceRevoked()
    {
        var tokens = api.Factory.Services.GetRequiredService<ApiTokens>();
        await using var db = api.Factory.CreateDbContext();
        var admin = await db.Admins.SingleAsync(a => a.Email == PortalFactory.AdminEmail, Ct);
        var created = await tokens.CreateAsync(admin.Id, "Short-lived", null, TestActors.Admin, Ct);
        using var client = api.Client(created.Secret);

        var before = await client.GetAsync("/api/v1/organizations", Ct);
        await tokens.RevokeAsync(admin.Id, created.Token.Id, TestActors.Admin, Ct);
        var after = await client.GetAsync("/api/v1/organizations", Ct);

        var stored = await db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == created.Token.Id, Ct);
        Assert.Equal(ApiTokens.Hash(created.Secret), stored.TokenHash);
        Assert.DoesNotContain(created.Secret, stored.TokenHash + stored.Prefix + stored.Name);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task UnknownApiPathGets404Problem()
    {
        using var client = api.Client();

        var response = await client.GetAsync("/api/v1/no-such-thing", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
