using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Core.Webhooks;
using MultiLine.Persistence.PostgreSQL;
using MultiLine.Persistence.Sqlite;
using MultiLine.Tests;

namespace MultiLine.Core.Tests.Webhooks;

/// <summary>
/// An organization on a real migrated database, a real HTTPS receiver on loopback, and the webhook services wired as the
/// app wires them (the hosted sender not started: each test runs the sender's runs itself on a fake clock).
/// </summary>
public sealed class WebhookWorld : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    private WebhookWorld(TestWebhookReceiver receiver) => Receiver = receiver;

    public TestDatabase Database { get; } = new();
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
    public TestWebhookReceiver Receiver { get; }
    public IDataProtectionProvider Protection { get; } = new EphemeralDataProtectionProvider();
    public int OrganizationId { get; private set; }
    public WebhookSender Sender => Services.GetRequiredService<WebhookSender>();
    public WebhookRegistry Registry => Services.GetRequiredService<WebhookRegistry>();
    public IServiceProvider Services => _hosts[0].Services;

    /// <param name="timeout">Webhooks:Timeout; 5 seconds unless given.</param>
    public static async Task<WebhookWorld> CreateAsync(bool allowPrivateAddresses = true, TimeSpan? timeout = null)
    {
        var world = new WebhookWorld(await TestWebhookReceiver.StartAsync());
        await using (var db = world.Database.CreateDbContext())
        {
            var organization = new Organization { Name = "Acme" };
            db.Organizations.Add(organization);
            await db.SaveChangesAsync();
            organization.Path = Organization.PathFor(null, organization.Id);
            await db.SaveChangesAsync();
            world.OrganizationId = organization.Id;
        }
        world.AddSender("sender-a", allowPrivateAddresses, timeout);
        return world;
    }

    /// <summary>Another sender on the same database, as another instance of the portal has.</summary>
    public WebhookSender AddSender(string senderId, bool allowPrivateAddresses = true, TimeSpan? timeout = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(Database.Engine.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Webhooks:AllowPrivateAddresses"] = allowPrivateAddresses ? "true" : "false",
            ["Webhooks:SenderId"] = senderId,
            ["Webhooks:Timeout"] = (timeout ?? TimeSpan.FromSeconds(5)).ToString("c"),
        });
        builder.Services.AddSingleton<TimeProvider>(Clock);
        builder.Services.AddSingleton(Protection);
        builder.AddMultiLineDatabase(SqliteEngine.Instance, PostgreSqlEngine.Instance);
        builder.AddMultiLineWebhooks();
        TestWebhookReceiver.TrustIn(builder.Services, () => Receiver.Certificate);
        var host = builder.Build();
        _hosts.Add(host);
        return host.Services.GetRequiredService<WebhookSender>();
    }

    /// <summary>Registers the receiver for <paramref name="events"/>; returns the endpoint's id and plain secret.</summary>
    public async Task<(int Id, string Secret)> AddEndpointAsync(WebhookEventTypes events = WebhookEventTypes.BatchCompleted | WebhookEventTypes.AccountActivated | WebhookEventTypes.InvitationFailed, int? organizationId = null)
    {
        await using var db = Database.CreateDbContext();
        var change = await Registry.CreateAsync(db, organizationId ?? OrganizationId, Receiver.Url, events, TestActors.Admin, TestContext.Current.CancellationToken);
        Assert.True(change.Succeeded, change.Message);
        return (change.EndpointId!.Value, change.Secret!);
    }

    public async Task<long> SendTestAsync(int endpointId)
    {
        await using var db = Database.CreateDbContext();
        var change = await Registry.SendTestAsync(db, OrganizationId, endpointId, TestActors.Admin, TestContext.Current.CancellationToken);
        Assert.True(change.Succeeded, change.Message);
        return change.DeliveryId!.Value;
    }

    public async Task<WebhookDelivery> DeliveryAsync(long id)
    {
        await using var db = Database.CreateDbContext();
        return await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == id, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
            host.Dispose();
        await Receiver.DisposeAsync();
        Database.Dispose();
    }
}
