using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Activity;

/// <summary><c>Activity</c> settings: how long the activity record keeps an entry (one value for the deployment).</summary>
public sealed class ActivityOptions
{
    public const string Section = "Activity";

    /// <summary>Entries older than this many days are deleted (365 by default).</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 365;

    /// <summary>How often the retention runs (hours); the first run is at start-up.</summary>
    [Range(1, 24 * 7)]
    public int SweepHours { get; set; } = 24;
}

/// <summary>
/// Deletes activity entries older than <see cref="ActivityOptions.RetentionDays"/>, at start-up and then every
/// <see cref="ActivityOptions.SweepHours"/> on the given clock, in chunks of <see cref="ChunkSize"/> entries per statement
/// so a first sweep over years of entries never holds the database for long.
/// </summary>
public sealed class ActivityRetention(SystemDbContextFactory factory, IOptions<ActivityOptions> options, TimeProvider clock, ILogger<ActivityRetention> logger) : BackgroundService
{
    internal const int ChunkSize = 5_000;

    /// <summary>One sweep: deletes every entry older than the retention; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = clock.GetUtcNow().UtcDateTime.AddDays(-options.Value.RetentionDays);
        await using var db = await factory.CreateAsync(cancellationToken);
        var deleted = 0;
        while (true)
        {
            var ids = await db.ActivityEntries.Where(e => e.AtUtc < cutoff).OrderBy(e => e.AtUtc).Select(e => e.Id).Take(ChunkSize).ToListAsync(cancellationToken);
            if (ids.Count == 0)
                return deleted;
            deleted += await db.ActivityEntries.Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(options.Value.SweepHours), clock);
        do
        {
            try
            {
                var deleted = await SweepAsync(stoppingToken);
                if (deleted > 0)
                    logger.LogInformation("Deleted {Count} activity entries older than {Days} days.", deleted, options.Value.RetentionDays);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "The activity retention sweep failed; it runs again in {Hours} hours.", options.Value.SweepHours);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
