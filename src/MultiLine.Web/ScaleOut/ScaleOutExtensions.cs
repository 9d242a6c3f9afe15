using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.PostgreSQL;
using MultiLine.Web.Extensions;
using MultiLine.Web.Reports;

namespace MultiLine.Web.ScaleOut;

/// <summary>
/// What several instances share beyond the database. With <c>Redis:ConnectionString</c>: the SignalR Redis backplane,
/// batch events over Redis pub/sub, and Redis in the readiness check. Without Redis on PostgreSQL: batch events over
/// LISTEN/NOTIFY (hub clients then get events from whichever instance they are connected to). On SQLite: one instance,
/// nothing to carry.
/// </summary>
public static class ScaleOutExtensions
{
    public static IHostApplicationBuilder AddMultiLineScaleOut(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section);
        var redis = builder.Configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        var provider = builder.Configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}"];

        if (redis.IsConfigured)
        {
            builder.Services.AddSingleton<RedisConnection>();
            builder.Services.AddSignalR().AddStackExchangeRedis(options => options.Configuration.ChannelPrefix =
                StackExchange.Redis.RedisChannel.Literal("multiline-signalr"));
            builder.Services.AddOptions<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions>()
                .Configure<RedisConnection>((options, connection) => options.ConnectionFactory = _ => connection.GetAsync());
            builder.Services.AddHostedService<RedisBatchEventRelay>();
            builder.Services.AddHealthChecks().AddRedis(
                services => services.GetRequiredService<RedisConnection>().GetAsync().GetAwaiter().GetResult(),
                name: "redis", failureStatus: HealthStatus.Unhealthy, tags: [HealthExtensions.Ready]);
        }
        else if (string.Equals(provider, PostgreSqlEngine.Instance.Name, StringComparison.OrdinalIgnoreCase))
        {
            builder.Services.AddHostedService<PostgreSqlBatchEventRelay>();
        }

        // With the backplane, each event goes to hub clients once, from the instance whose worker ran it, and Redis
        // takes it to the instance the client is connected to (so Worker nodes forward too). Without it, every
        // instance serving pages forwards every event, relayed ones included, to its own clients.
        builder.Services.AddSingleton(new HubForwarding(redis.IsConfigured ? EventOrigin.ThisInstance : EventOrigin.Any));
        builder.Services.AddHostedServiceFor<BatchHubBridge>(node => node.ServesUi || redis.IsConfigured);
        return builder;
    }
}

/// <summary>Which batch events this instance's <see cref="BatchHubBridge"/> sends to SignalR clients.</summary>
public sealed record HubForwarding(EventOrigin Origin);
