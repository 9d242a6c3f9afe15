using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MultiLine.Core.Common;

/// <summary>What one running instance does (<c>Node:Role</c>), so a deployment can scale pages and background work apart.</summary>
public enum NodeRole
{
    /// <summary>Pages, API and hub, and the batch worker and outbox sender: one process does everything (the default).</summary>
    All = 0,

    /// <summary>Pages, API and hub only; batches and emails are left to worker instances.</summary>
    Web = 1,

    /// <summary>The batch worker and the outbox sender, with no pages, API or hub (health checks only).</summary>
    Worker = 2,
}

public sealed class NodeOptions
{
    public const string Section = "Node";

    public NodeRole Role { get; set; } = NodeRole.All;

    public bool RunsBackgroundWork => Role != NodeRole.Web;

    public bool ServesUi => Role != NodeRole.Worker;
}

public static class NodeExtensions
{
    /// <summary>
    /// Registers a hosted service that runs only on nodes whose role allows it. The role is read when the host starts,
    /// from the final configuration.
    /// </summary>
    public static IServiceCollection AddHostedServiceFor<TService>(this IServiceCollection services, Func<NodeOptions, bool> runsOn,
        Func<IServiceProvider, TService>? create = null) where TService : class, IHostedService
    {
        services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section);
        services.AddSingleton<IHostedService>(provider => runsOn(provider.GetRequiredService<IOptions<NodeOptions>>().Value)
            ? create?.Invoke(provider) ?? ActivatorUtilities.CreateInstance<TService>(provider)
            : new NotOnThisNode());
        return services;
    }

    /// <summary>Stands in for a hosted service this node's role does not run.</summary>
    private sealed class NotOnThisNode : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
