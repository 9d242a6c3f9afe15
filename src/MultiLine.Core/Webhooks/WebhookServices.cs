using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Webhooks;

/// <summary>The connection refused an address <see cref="WebhookAddresses"/> does not allow.</summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);

public static class WebhookServices
{
    /// <summary>
    /// The registry, the sender (a hosted service on nodes that run background work), the delivery log's retention and
    /// the named HttpClient, whose connections refuse private addresses unless <c>Webhooks:AllowPrivateAddresses</c>.
    /// </summary>
    public static IHostApplicationBuilder AddMultiLineWebhooks(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddDataProtection();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookRegistry>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookRetention>();
        services.AddHttpClient(WebhookOptions.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(provider => CreateHandler(provider.GetRequiredService<IOptions<WebhookOptions>>().Value))
            .RemoveAllLoggers();
        services.AddHostedServiceFor(node => node.RunsBackgroundWork, provider => provider.GetRequiredService<WebhookSender>());
        services.AddHostedServiceFor(node => node.RunsBackgroundWork, provider => provider.GetRequiredService<WebhookRetention>());
        return builder;
    }

    /// <summary>
    /// No redirects (a 3xx is a failed attempt: the portal does not follow an endpoint elsewhere), no cookies; every
    /// address a host name resolves to is checked when connecting, so DNS cannot point inside later. No proxy either:
    /// through a proxy (HTTP_PROXY, HTTPS_PROXY or ALL_PROXY in the environment) the connection would go to the proxy,
    /// which resolves and reaches the endpoint's host itself, so the address check would see only the proxy's address.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(WebhookOptions settings) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = settings.Timeout,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            var allowed = settings.AllowPrivateAddresses ? addresses : addresses.Where(a => !WebhookAddresses.IsPrivate(a)).ToArray();
            if (allowed.Length == 0)
                throw new WebhookAddressRefusedException($"{host} resolves to a local or private network address, which the portal does not call.");
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

/// <summary>Deletes finished deliveries older than <see cref="WebhookOptions.RetentionDays"/>, at start-up and then daily.</summary>
public sealed class WebhookRetention(SystemDbContextFactory factory, IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookRetention> logger) : BackgroundService
{
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.RetentionDays);
        await using var db = await factory.CreateAsync(cancellationToken);
        var deleted = 0;
        while (true)
        {
            var ids = await db.WebhookDeliveries.Where(d => d.CreatedAtUtc < cutoff && d.State != WebhookDeliveryState.Pending)
                .OrderBy(d => d.CreatedAtUtc).Select(d => d.Id).Take(5_000).ToListAsync(cancellationToken);
            if (ids.Count == 0)
                return deleted;
            deleted += await db.WebhookDeliveries.Where(d => ids.Contains(d.Id)).ExecuteDeleteAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(24), clock);
        do
        {
            try
            {
                var deleted = await SweepAsync(stoppingToken);
                if (deleted > 0)
                    logger.LogInformation("Deleted {Count} webhook deliveries older than {Days} days.", deleted, options.Value.RetentionDays);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "The webhook delivery log sweep failed; it runs again tomorrow.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
