using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Admins;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.Sqlite;

namespace MultiLine.Core.Tests;

/// <summary>A real SQLite file in a temp folder, migrated, deleted when the test ends.</summary>
public sealed class TestDatabase : IDbContextFactory<MultiLineDbContext>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multiline-tests-").FullName;

    public TestDatabase()
    {
        FilePath = Path.Combine(_folder, "test.db");
        Options = OptionsFor(Connection);
        using var db = CreateDbContext();
        db.Database.Migrate();
    }

    public string FilePath { get; }
    public DbContextOptions<MultiLineDbContext> Options { get; }

    /// <summary>A system context (all organizations), to arrange data and check what the code wrote.</summary>
    public MultiLineDbContext CreateDbContext() => new MultiLineDbContext(Options).WithScope(AdminScope.System);

    /// <summary>What services that work across organizations take.</summary>
    public SystemDbContextFactory System => new(this);

    /// <summary>Like <see cref="System"/>, but a write waits only <paramref name="seconds"/> for another writer before "database is locked".</summary>
    public SystemDbContextFactory SystemWithLockTimeout(int seconds) =>
        new(new Contexts(OptionsFor($"{Connection};Default Timeout={seconds}", seconds * 1000)));

    private string Connection => $"Data Source={FilePath};Pooling=False";

    private static DbContextOptions<MultiLineDbContext> OptionsFor(string connectionString, int busyTimeoutMilliseconds = 10_000) =>
        new DbContextOptionsBuilder<MultiLineDbContext>().UseMultiLineSqlite(connectionString, busyTimeoutMilliseconds).Options;

    private sealed class Contexts(DbContextOptions<MultiLineDbContext> options) : IDbContextFactory<MultiLineDbContext>
    {
        public MultiLineDbContext CreateDbContext() => new(options);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
