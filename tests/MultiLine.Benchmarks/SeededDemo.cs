using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiLine.Core.Admins;
using MultiLine.Core.Demo;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.Sqlite;

namespace MultiLine.Benchmarks;

/// <summary>
/// A SQLite file in a temp folder with the demo data's 200,000 accounts, migrated and seeded as the app does, its search
/// index caught up as a deployment's is between imports (no hosted services run). Disposing deletes the folder.
/// </summary>
internal sealed class SeededDemo : IAsyncDisposable
{
    private readonly string _folder;
    private readonly IHost _host;

    private SeededDemo(string folder, IHost host)
    {
        _folder = folder;
        _host = host;
    }

    public IDbContextFactory<MultiLineDbContext> Factory => _host.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>();

    public static AdminScope SuperAdmin { get; } = new(1, null, Privileges.All);

    public static async Task<SeededDemo> StartAsync(string name)
    {
        var folder = Directory.CreateTempSubdirectory($"multiline-{name}-bench-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Path"] = Path.Combine(folder, "bench.db") });
        builder.Services.AddLogging();
        builder.AddMultiLineDatabase(SqliteEngine.Instance);
        builder.AddMultiLineDemoData();
        var demo = new SeededDemo(folder, builder.Build());
        try
        {
            await demo._host.Services.MigrateDatabaseAsync();
            await demo._host.Services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync(new DemoOptions { Accounts = 200_000 });
            await using var db = (await demo.Factory.CreateDbContextAsync()).WithScope(AdminScope.System);
            while (await SqliteEngine.Instance.IndexNewAccountsAsync(db, 50_000) > 0)
            {
            }
            return demo;
        }
        catch
        {
            await demo.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        _host.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
