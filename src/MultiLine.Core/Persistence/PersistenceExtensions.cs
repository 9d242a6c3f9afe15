using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MultiLine.Core.Persistence;

public static class PersistenceExtensions
{
    /// <summary>SQLite through <see cref="IDbContextFactory{TContext}"/>, one context per operation.</summary>
    public static IHostApplicationBuilder AddMultiLineDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddDbContextFactory<MultiLineDbContext>((services, options) =>
        {
            var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            options.UseMultiLineSqlite(database.ConnectionString(contentRoot), database.BusyTimeoutMilliseconds);
        });
        builder.Services.AddScoped<ScopedDbContextFactory>();
        builder.Services.AddSingleton<SystemDbContextFactory>();
        return builder;
    }

    /// <summary>The provider settings every context uses, also in tests and benchmarks.</summary>
    public static TBuilder UseMultiLineSqlite<TBuilder>(this TBuilder options, string connectionString, int busyTimeoutMilliseconds = 10_000)
        where TBuilder : DbContextOptionsBuilder
    {
        options.UseSqlite(connectionString)
            .AddInterceptors(new SqlitePragmas(busyTimeoutMilliseconds))
            // Permission groups are deliberately not scope-filtered: sub-organizations inherit their ancestors' groups.
            .ConfigureWarnings(w => w.Ignore(CoreEventId.PossibleIncorrectRequiredNavigationWithQueryFilterInteractionWarning));
        return options;
    }

    /// <summary>Applies pending migrations. Runs once at start-up, before the app serves requests.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>().CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
