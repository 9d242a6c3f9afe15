using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.Sqlite;

namespace MultiLine.Core.Tests.Persistence;

/// <summary>An instance is ready only on a reachable, fully migrated database.</summary>
[Trait("Engine", "Sqlite")]
public sealed class DatabaseReadyCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multiline-ready-").FullName;

    private sealed class Factory(string file) : IDbContextFactory<MultiLineDbContext>
    {
        public MultiLineDbContext CreateDbContext() =>
            new(new DbContextOptionsBuilder<MultiLineDbContext>().UseMultiLineSqlite($"Data Source={file};Pooling=False").Options);
    }

    private static Task<HealthCheckResult> CheckAsync(string file) =>
        new DatabaseReadyCheck(new SystemDbContextFactory(new Factory(file))).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

    // Every migration the engine's assembly holds, so a new migration does not change what these tests expect.
    private int AllMigrations
    {
        get
        {
            using var db = new Factory(Path.Combine(_folder, "unused.db")).CreateDbContext();
            return db.Database.GetMigrations().Count();
        }
    }

    [Fact]
    public async Task ADatabaseWithoutItsMigrationsIsNotReadyAndSaysWhichAreMissing()
    {
        var file = Path.Combine(_folder, "new.db");
        using (var create = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
        {
            // An empty file, as a fresh volume has before the migrations run (SQLite writes the file on the first write).
            create.Open();
            using var command = create.CreateCommand();
            command.CommandText = "PRAGMA user_version = 1;";
            command.ExecuteNonQuery();
        }

        var result = await CheckAsync(file);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith($"{AllMigrations} migrations not applied yet: 20261124231334_Initial, ", result.Description);
    }

    [Fact]
    public async Task AMissingDatabaseFileIsNotReady()
    {
        var result = await CheckAsync(Path.Combine(_folder, "missing.db"));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith($"{AllMigrations} migrations not applied yet: ", result.Description);
    }

    [Fact]
    public async Task AMigratedDatabaseIsReady()
    {
        using var database = new TestDatabase();

        var result = await new DatabaseReadyCheck(database.System).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal((HealthStatus.Healthy, "The database is reachable and its migrations are applied."), (result.Status, result.Description));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
