using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MultiLine.Core.Common;

namespace MultiLine.Core.Persistence;

/// <summary>
/// Readiness of the database for this instance: reachable, and every migration of the engine's assembly applied (an
/// instance started before its migrations ran must not take traffic). Whatever the engine.
/// </summary>
public sealed class DatabaseReadyCheck(SystemDbContextFactory factory) : IHealthCheck
{
    public const string Name = "database";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await factory.CreateAsync(cancellationToken);
            // Reading the migrations history connects too; CanConnect is not used, since SQLite's read-only probe fails on
            // a file not yet in WAL mode.
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy("The database is reachable and its migrations are applied.")
                : HealthCheckResult.Unhealthy($"{Words.Count(pending.Count, "migration")} not applied yet: {string.Join(", ", pending)}.");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"The database cannot be reached: {exception.Message}", exception);
        }
    }
}
