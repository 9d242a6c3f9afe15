using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiLine.Core.Invitations;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.PostgreSQL;
using MultiLine.Persistence.Sqlite;

namespace MultiLine.Core.Tests.Invitations;

/// <summary>
/// A real host whose hosted outbox sender delivers from a test's SQLite file to a loopback SMTP server, as one instance
/// of the portal would. Two of them on one file are two instances sharing a database.
/// </summary>
internal sealed class OutboxHost : IAsyncDisposable
{
    private readonly IHost _host;

    private OutboxHost(IHost host) => _host = host;

    /// <param name="connections">Smtp:Connections; null keeps the app's default.</param>
    public static async Task<OutboxHost> StartAsync(InvitationWorld world, string senderId, int smtpPort, int batchSize, int? connections = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(world.Database.Engine.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtpPort.ToString(),
            ["Smtp:TlsMode"] = "None",
            ["Smtp:SenderId"] = senderId,
            ["Smtp:BatchSize"] = batchSize.ToString(),
            ["Smtp:PollInterval"] = "00:00:00.050",
            ["Invitations:PublicBaseUrl"] = "https://portal.test/",
        });
        if (connections is { } count)
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Smtp:Connections"] = count.ToString() });
        builder.Services.AddSingleton<TimeProvider>(world.Clock);
        builder.AddMultiLineDatabase(SqliteEngine.Instance, PostgreSqlEngine.Instance);
        builder.AddMultiLineInvitationServices();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new OutboxHost(host);
    }

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
