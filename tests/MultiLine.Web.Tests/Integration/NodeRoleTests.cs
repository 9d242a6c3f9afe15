using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Tests;
using MultiLine.Web.Extensions;
using MultiLine.Web.Reports;

namespace MultiLine.Web.Tests.Integration;

/// <summary>Node:Role splits one deployment into page instances and worker instances.</summary>
public sealed class NodeRoleTests
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    private static List<Type> HostedServices(PortalFactory factory) =>
        factory.Services.GetServices<IHostedService>().Select(s => s.GetType()).ToList();

    [Fact]
    public async Task AWebNodeServesPagesButRunsNoBatchesAndSendsNoEmail()
    {
        await using var factory = new PortalFactory(settings: new Dictionary<string, string?> { ["Node:Role"] = "Web" });
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/signin", Cancel)).StatusCode);
        var services = HostedServices(factory);
        Assert.DoesNotContain(typeof(BatchWorker), services);
        Assert.DoesNotContain(typeof(OutboxSender), services);
        Assert.Contains(typeof(BatchHubBridge), services);
    }

    [Fact]
    public async Task AWorkerNodeRunsBatchesAndTheOutboxAndAnswersOnlyHealthChecks()
    {
        await using var factory = new PortalFactory(settings: new Dictionary<string, string?> { ["Node:Role"] = "Worker" });
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(HealthExtensions.ReadyPath, Cancel)).StatusCode);
        var signIn = await client.GetAsync("/signin", Cancel);
        Assert.True(signIn.StatusCode == HttpStatusCode.NotFound, $"{signIn.StatusCode} {signIn.Headers.Location}");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/organizations", Cancel)).StatusCode);
        var services = HostedServices(factory);
        Assert.Contains(typeof(BatchWorker), services);
        Assert.Contains(typeof(OutboxSender), services);
        Assert.DoesNotContain(typeof(BatchHubBridge), services);
    }

    [Fact]
    public async Task TheDefaultNodeDoesEverything()
    {
        await using var factory = new PortalFactory();
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/signin", Cancel)).StatusCode);
        Assert.Contains(typeof(BatchWorker), HostedServices(factory));
        Assert.Contains(typeof(OutboxSender), HostedServices(factory));
    }
}
