using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Webhooks;
using MultiLine.Tests;

namespace MultiLine.Core.Tests.Webhooks;

/// <summary>Endpoint changes on a real database, with two admins at once.</summary>
public sealed class WebhookRegistryTests : IAsyncLifetime
{
    private WebhookWorld _world = null!;

    public async ValueTask InitializeAsync() => _world = await WebhookWorld.CreateAsync();

    public ValueTask DisposeAsync() => _world.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdminsAddingEndpointsAtTheSameMomentNeverGoPastTheOrganizationsLimit()
    {
        const int limit = 10;
        for (var i = 0; i < limit - 2; i++)
            await _world.AddEndpointAsync();

        // Eight admins at once, each with its own context and connection, for the last two places.
        using var start = new SemaphoreSlim(0);
        var adding = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            await using var db = _world.Database.CreateDbContext();
            await start.WaitAsync(Ct);
            return await _world.Registry.CreateAsync(db, _world.OrganizationId, $"https://hooks{i}.example.com/multiline", WebhookEventTypes.BatchCompleted, TestActors.Admin, Ct);
        }, Ct)).ToList();
        start.Release(adding.Count);
        var changes = await Task.WhenAll(adding);

        Assert.Equal(2, changes.Count(c => c.Succeeded));
        Assert.All(changes.Where(c => !c.Succeeded), c => Assert.Equal($"Acme already has {limit} webhook endpoints, the most an organization can have. Delete one first.", c.Message));
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(limit, await check.WebhookEndpoints.CountAsync(Ct));
        // Each endpoint was stored with its activity entry, and no entry without its endpoint.
        var endpointIds = await check.WebhookEndpoints.Select(e => e.Id.ToString()).ToListAsync(Ct);
        var recorded = await check.ActivityEntries.Where(a => a.Action == ActivityActions.WebhookCreate).Select(a => a.TargetId).ToListAsync(Ct);
        Assert.Equal(endpointIds.Order(), recorded.Order());
    }
}
