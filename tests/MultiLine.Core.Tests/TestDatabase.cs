using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Admins;
using MultiLine.Core.Persistence;
using MultiLine.Tests;

namespace MultiLine.Core.Tests;

/// <summary>
/// A real, migrated database on the run's engine (<see cref="TestEngine"/>: a SQLite file in a temp folder, or a fresh
/// PostgreSQL database), removed when the test ends.
/// </summary>
public sealed class TestDatabase : IDbContextFactory<MultiLineDbContext>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("multiline-tests-").FullName;

    public TestDatabase()
    {
        Engine = EngineDatabase.Create(_folder);
        Options = Engine.Options();
    }

    public EngineDatabase Engine { get; }

    /// <summary>A folder of the test's own, for files beside the database (outbox pickup, uploads).</summary>
    public string Folder => _folder;

    /// <summary>The SQLite file; only for tests about SQLite itself (locks, pragmas).</summary>
    public string FilePath => Engine.SqlitePath ?? throw new InvalidOperationException("This test is about SQLite; the run uses " + Engine.Provider + ".");

    public DbContextOptions<MultiLineDbContext> Options { get; }

    /// <summary>A system context (all organizations), to arrange data and check what the code wrote.</summary>
    public MultiLineDbContext CreateDbContext() => new MultiLineDbContext(Options).WithScope(AdminScope.System);

    /// <summary>What services that work across organizations take.</summary>
    public SystemDbContextFactory System => new(this);

    /// <summary>Like <see cref="System"/>, but a write waits only <paramref name="seconds"/> for another writer before "database is locked".</summary>
    public SystemDbContextFactory SystemWithLockTimeout(int seconds) =>
        new(new Contexts(Engine.Options(seconds * 1000, $"Data Source={FilePath};Pooling=False;Default Timeout={seconds}")));

    private sealed class Contexts(DbContextOptions<MultiLineDbContext> options) : IDbContextFactory<MultiLineDbContext>
    {
        public MultiLineDbContext CreateDbContext() => new(options);
    }

    public void Dispose()
    {
        Engine.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
