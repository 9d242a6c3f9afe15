using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace MultiLine.Web.ScaleOut;

/// <summary>
/// The instance's one Redis connection, shared by the SignalR backplane, the batch-event relay and the readiness check.
/// It keeps reconnecting on its own: an instance starts, and reports "not ready", while Redis is away.
/// </summary>
public sealed class RedisConnection(IOptions<RedisOptions> options) : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection = new(async () =>
    {
        var configuration = ConfigurationOptions.Parse(options.Value.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= "multiline-portal";
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    });

    public Task<IConnectionMultiplexer> GetAsync() => _connection.Value;

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated)
            await (await _connection.Value).DisposeAsync();
    }
}
