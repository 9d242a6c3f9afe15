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
