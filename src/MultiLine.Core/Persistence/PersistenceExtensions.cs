using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MultiLine.Core.Persistence;

public static class PersistenceExtensions
{
    /// <summary>
    /// The database through <see cref="IDbContextFactory{TContext}"/>, one context per operation, on the engine that
    /// <c>Database:Provider</c> names among <paramref name="engines"/> (default <c>Sqlite</c>).
    /// </summary>
    public static IHostApplicationBuilder AddMultiLineDatabase(this IHostApplicationBuilder builder, params IDatabaseEngine[] engines)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var name = builder.Configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.Provider)}"] ?? DatabaseOptions.DefaultProvider;
        var engine = engines.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException(
                $"Database:Provider is \"{name}\"; this build knows {string.Join(", ", engines.Select(e => e.Name))}.");
        builder.Services.AddSingleton(engine);
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddDbContextFactory<MultiLineDbContext>((services, options) =>
            engine.Configure(options, services.GetRequiredService<IOptions<DatabaseOptions>>().Value, contentRoot));
        builder.Services.AddScoped<ScopedDbContextFactory>();
        builder.Services.AddSingleton<SystemDbContextFactory>();
        return builder;
    }

    /// <summary>What every context needs whatever the engine, and the engine itself (see <see cref="MultiLineDbContext.Engine"/>).</summary>
    public static TBuilder UseMultiLineDefaults<TBuilder>(this TBuilder options, IDatabaseEngine engine) where TBuilder : DbContextOptionsBuilder
    {
        ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(new DatabaseEngineOptionsExtension(engine));
        // Permission groups are deliberately not scope-filtered: sub-organizations inherit their ancestors' groups.
        options.ConfigureWarnings(w => w.Ignore(CoreEventId.PossibleIncorrectRequiredNavigationWithQueryFilterInteractionWarning));
        return options;
    }

    /// <summary>Applies pending migrations. Runs once at start-up, before the app serves requests.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>().CreateDbContextAsync(cancellationToken);
        await db.Database.MigrateAsync(cancellationToken);
    }
}
