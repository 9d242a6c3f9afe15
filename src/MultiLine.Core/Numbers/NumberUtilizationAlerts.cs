using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Common;
using MultiLine.Core.Invitations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>Settings of the number utilization check, from the "Numbers" section.</summary>
public sealed class NumberUtilizationOptions
{
    public const string Section = "Numbers";

    /// <summary>How often organizations with an alert threshold are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan UtilizationCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Emails an organization's designated admins when its number utilization reaches its alert threshold: once per
/// crossing. The organization remembers that the alert went (<see cref="Organizations.Organization.UtilizationAlertSentAtUtc"/>,
/// set by a conditional update in the same transaction that queues the email, so two nodes checking at once send one);
/// the alert is armed again when utilization drops below the threshold.
/// </summary>
public sealed class NumberUtilizationAlerts(SystemDbContextFactory databases, NotificationComposer composer, IPortalLinks links, TimeProvider clock)
{
    /// <summary>Checks every organization with a threshold (or an alert to re-arm). Returns how many alerts were queued.</summary>
    public async Task<int> CheckAllAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        var ids = await db.Organizations.AsNoTracking()
            .Where(o => o.UtilizationThresholdPercent != null || o.UtilizationAlertSentAtUtc != null)
            .OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(cancellationToken);
        var queued = 0;
        foreach (var id in ids)
            if (await CheckAsync(db, id, cancellationToken))
                queued++;
        return queued;
    }

    /// <summary>Checks one organization; true when this call queued its alert.</summary>
    public async Task<bool> CheckAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        if (await NumberUtilization.ForAsync(db, organizationId, cancellationToken) is not { } utilization)
            return false;
        if (!utilization.IsOverThreshold)
        {
            if (utilization.AlertSent)
                await db.Organizations.Where(o => o.Id == organizationId && o.UtilizationAlertSentAtUtc != null)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.UtilizationAlertSentAtUtc, (DateTime?)null), cancellationToken);
            return false;
        }
        if (utilization.AlertSent)
            return false;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        var threshold = utilization.ThresholdPercent;
        var claimed = await db.Organizations
            .Where(o => o.Id == organizationId && o.UtilizationAlertSentAtUtc == null && o.UtilizationThresholdPercent == threshold)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.UtilizationAlertSentAtUtc, now), cancellationToken);
        if (claimed != 1)
            return false;
        await composer.QueueUtilizationAlertAsync(db, utilization, links.NumberUtilization(), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}

/// <summary>
/// Runs <see cref="NumberUtilizationAlerts.CheckAllAsync"/> on a timer. One periodic check sees every way numbers are
/// taken or returned (imports, the single-account form, activation, moves, allocation and withdrawal, other nodes)
/// without adding work to any of them; an alert comes at most one interval late.
/// </summary>
public sealed class NumberUtilizationMonitor(NumberUtilizationAlerts alerts, IOptions<NumberUtilizationOptions> options, TimeProvider clock,
    ILogger<NumberUtilizationMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UtilizationCheckInterval, clock);
        do
        {
            try
            {
                await alerts.CheckAllAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Checking number utilization failed; trying again at the next interval.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

public static class NumberServiceExtensions
{
    /// <summary>Adding numbers from lists, and the utilization alerts with their periodic check.</summary>
    public static IHostApplicationBuilder AddMultiLineNumbers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NumberUtilizationOptions>().BindConfiguration(NumberUtilizationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<NumberAdditions>();
        builder.Services.AddSingleton<NumberUtilizationAlerts>();
        builder.Services.AddHostedServiceFor<NumberUtilizationMonitor>(node => node.RunsBackgroundWork);
        return builder;
    }
}
