using System.Net;
using System.Text.Json;
using MultiLine.Tests;
using MultiLine.Web.Extensions;

namespace MultiLine.Web.Tests.Integration;

/// <summary>The probes a load balancer or orchestrator calls, without signing in.</summary>
public sealed class HealthCheckTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task LivenessAnswersWithoutSigningInAndChecksNoDependency()
    {
        using var client = portal.Factory.CreateClient();

        var response = await client.GetAsync(HealthExtensions.LivePath, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Cancel));
    }

    [Fact]
    public async Task ReadinessSaysTheDatabaseIsReachableAndMigrated()
    {
        using var client = portal.Factory.CreateClient();

        var response = await client.GetAsync(HealthExtensions.ReadyPath, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        var database = json.RootElement.GetProperty("checks").GetProperty("database");
        Assert.Equal(("Healthy", "The database is reachable and its migrations are applied."),
            (database.GetProperty("status").GetString(), database.GetProperty("description").GetString()));
    }
}

/// <summary>With Redis configured, an instance is ready only while Redis answers.</summary>
[Trait("Engine", "Own")]
public sealed class RedisReadinessTests
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, string? Redis)> ReadinessWithAsync(string redis)
    {
        await using var factory = new PortalFactory(demoAccounts: 0, new Dictionary<string, string?> { ["Redis:ConnectionString"] = redis });
        using var client = factory.CreateClient();
        var response = await client.GetAsync(HealthExtensions.ReadyPath, Cancel);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        return (response.StatusCode, json.RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
    }

    [Fact]
    public async Task AReachableRedisIsPartOfReadiness() =>
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await ReadinessWithAsync(TestEngine.Redis));

    [Fact]
    public async Task AnUnreachableRedisTakesTheInstanceOutOfRotation()
    {
        // A port nothing listens on; connectTimeout keeps the failed attempt short.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await ReadinessWithAsync($"127.0.0.1:{port},connectTimeout=500"));
    }
}
