using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Admins;
using MultiLine.Core.Demo;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Api;

/// <summary>Each token has its own budget of requests per window; beyond it, 429 with Retry-After.</summary>
public sealed class ApiRateLimitTests : IAsyncLifetime
{
    private const string Token = "mlp_test_rate_limited_token_000001";
    private readonly PortalFactory _factory = new(settings: new Dictionary<string, string?>
    {
        ["Demo:ApiToken"] = Token,
        ["Api:PermitLimit"] = "3",
        ["Api:WindowSeconds"] = "3600",
    });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _factory.StartOnLoopback();
        return ValueTask.CompletedTask;
    }

    private HttpClient Client(string token) => new()
    {
        BaseAddress = _factory.Address,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    [Fact]
    public async Task TokenOverItsLimitGets429WithRetryAfterWhileAnotherTokenGoesOn()
    {
        await using var db = _factory.CreateDbContext();
        var scoped = await db.Admins.SingleAsync(a => a.Email == DemoDataSeeder.ScopedAdminEmail, Ct);
        var other = await _factory.Services.GetRequiredService<ApiTokens>().CreateAsync(scoped.Id, "Other script", null, TestActors.Admin, Ct);
        using var client = Client(Token);
        using var otherClient = Client(other.Secret);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            statuses.Add((await client.GetAsync("/api/v1/organizations", Ct)).StatusCode);
        var limited = await client.GetAsync("/api/v1/organizations", Ct);
        var otherResponse = await otherClient.GetAsync("/api/v1/organizations", Ct);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.StartsWith("This API token made too many requests.", (await limited.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
        Assert.Equal(HttpStatusCode.OK, otherResponse.StatusCode);
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
