using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.PostgreSQL;
using MultiLine.Persistence.Sqlite;
using Npgsql;

namespace MultiLine.Tests;

/// <summary>
/// The database engine a test run uses, chosen by one parameter: the environment variable
/// <c>MULTILINE_TEST_DATABASE</c> = <c>Sqlite</c> (default) or <c>PostgreSQL</c>. The same tests run on both;
/// <c>./test.sh</c> runs the suites once per engine against a PostgreSQL server it starts (<c>MULTILINE_TEST_POSTGRES</c>).
/// </summary>
public static class TestEngine
{
    public static string Provider { get; } =
        Environment.GetEnvironmentVariable("MULTILINE_TEST_DATABASE") is { Length: > 0 } name ? name : "Sqlite";

    public static bool IsPostgreSql => string.Equals(Provider, PostgreSqlEngine.Instance.Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>The PostgreSQL server's connection string (any database on it), from <c>MULTILINE_TEST_POSTGRES</c>.</summary>
    public static string PostgresServer =>
        Environment.GetEnvironmentVariable("MULTILINE_TEST_POSTGRES") is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                "These tests need a PostgreSQL server: run ./test.sh, or start one with `source tests/engines.sh; engines_start`.");

    /// <summary>The Redis server's configuration string, from <c>MULTILINE_TEST_REDIS</c>.</summary>
    public static string Redis =>
        Environment.GetEnvironmentVariable("MULTILINE_TEST_REDIS") is { Length: > 0 } redis
            ? redis
            : throw new InvalidOperationException(
                "These tests need a Redis server: run ./test.sh, or start one with `source tests/engines.sh; engines_start`.");
}

/// <summary>
/// A fresh, migrated database for one test on the run's engine (<see cref="TestEngine"/>): a SQLite file in
/// <paramref name="folder"/>, or a new PostgreSQL database copied from a template migrated once per test process.
/// Dropped or deleted on dispose.
/// </summary>
public sealed class EngineDatabase : IDisposable
{
    private static readonly SemaphoreSlim Creating = new(1, 1);
    private static string? _template;
    private static int _counter;
    private static readonly System.Collections.Concurrent.ConcurrentBag<string> Reusable = [];
    private readonly string? _postgresName;
    private readonly bool _reusable;

    private EngineDatabase(string provider, string connectionString, string? sqlitePath, string? postgresName, bool reusable = false)
    {
        _reusable = reusable;
        Provider = provider;
        ConnectionString = connectionString;
        SqlitePath = sqlitePath;
        _postgresName = postgresName;
    }

    public string Provider { get; }

    /// <summary>The connection string: SQLite's "Data Source=…" or an Npgsql one.</summary>
    public string ConnectionString { get; }

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? SqlitePath { get; }

    public bool IsSqlite => SqlitePath is not null;

    /// <summary>The app's engine for this database.</summary>
    public IDatabaseEngine DatabaseEngine => IsSqlite ? SqliteEngine.Instance : PostgreSqlEngine.Instance;

    /// <summary>The configuration keys that point the app at this database (<c>Database:Provider</c>, <c>:Path</c> or <c>:ConnectionString</c>).</summary>
    public IReadOnlyDictionary<string, string?> Settings => IsSqlite
        ? new Dictionary<string, string?> { ["Database:Provider"] = "Sqlite", ["Database:Path"] = SqlitePath }
        : new Dictionary<string, string?> { ["Database:Provider"] = "PostgreSQL", ["Database:ConnectionString"] = ConnectionString };

    public static EngineDatabase Create(string folder, bool migrate = true) =>
        TestEngine.IsPostgreSql ? CreateOnPostgreSql(folder, migrate) : CreateOnSqlite(folder, migrate);

    /// <summary>A SQLite file whatever the run's engine, for tests that choose their engine themselves.</summary>
    public static EngineDatabase CreateOnSqlite(string folder, bool migrate = true)
    {
        var path = Path.Combine(folder, "test.db");
        var sqlite = new EngineDatabase("Sqlite", $"Data Source={path};Pooling=False", path, null);
        if (migrate)
        {
            using var db = new MultiLineDbContext(sqlite.Options());
            db.Database.Migrate();
        }
        return sqlite;
    }

    /// <summary>A PostgreSQL database whatever the run's engine, for tests of what only PostgreSQL has or several instances share.</summary>
    public static EngineDatabase CreateOnPostgreSql(string folder, bool migrate = true)
    {
        if (migrate && Reusable.TryTake(out var reused) && TryEmpty(reused))
            return new EngineDatabase("PostgreSQL", ServerConnection(reused, pooling: true), null, reused, reusable: true);

        var name = $"mlt_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}";
        Creating.Wait();
        try
        {
            var template = migrate ? _template ??= MigratedTemplate() : "template0";
            // FILE_COPY: a plain copy of the small template is faster than the WAL-logged default.
            Execute($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY");
        }
        finally
        {
            Creating.Release();
        }
        return new EngineDatabase("PostgreSQL", ServerConnection(name, pooling: true), null, name, reusable: migrate);
    }

    /// <summary>Context options for this database; <paramref name="busyTimeoutMilliseconds"/> is SQLite's wait for another writer.</summary>
    public DbContextOptions<MultiLineDbContext> Options(int busyTimeoutMilliseconds = 10_000, string? connectionString = null) =>
        IsSqlite
            ? new DbContextOptionsBuilder<MultiLineDbContext>().UseMultiLineSqlite(connectionString ?? ConnectionString, busyTimeoutMilliseconds).Options
            : new DbContextOptionsBuilder<MultiLineDbContext>().UseMultiLinePostgreSql(connectionString ?? ConnectionString).Options;

    public void Dispose()
    {
        if (IsSqlite)
        {
            SqliteConnection.ClearAllPools();
            return;
        }
        using (var connection = new NpgsqlConnection(ConnectionString))
            NpgsqlConnection.ClearPool(connection);
        // Creating a database costs ~0.2 s and dropping one ~0.15 s; emptying a used one ~10 ms. The next test takes it.
        if (_reusable)
            Reusable.Add(_postgresName!);
        else
            try { Execute($"DROP DATABASE IF EXISTS \"{_postgresName}\" WITH (FORCE)"); } catch (NpgsqlException) { }
    }

    /// <summary>Empties every table of a used database and restarts its identities, as if it were just migrated.</summary>
    private static bool TryEmpty(string name)
    {
        try
        {
            using var connection = new NpgsqlConnection(ServerConnection(name, pooling: false));
            connection.Open();
            using var command = new NpgsqlCommand("""
                SET lock_timeout = '5s';
                DO $$ BEGIN
                  EXECUTE (SELECT 'TRUNCATE ' || string_agg(format('%I', tablename), ', ') || ' RESTART IDENTITY CASCADE'
                           FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__EFMigrationsHistory');
                END $$;
                """, connection);
            command.ExecuteNonQuery();
            return true;
        }
        catch (NpgsqlException)
        {
            // Still held by something a test left behind: leave it, a new one is made instead.
            return false;
        }
    }

    private static string MigratedTemplate()
    {
        var name = $"mlt_{Environment.ProcessId}_template";
        Execute($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        Execute($"CREATE DATABASE \"{name}\"");
        var connectionString = ServerConnection(name, pooling: false);
        using (var db = new MultiLineDbContext(new DbContextOptionsBuilder<MultiLineDbContext>().UseMultiLinePostgreSql(connectionString).Options))
            db.Database.Migrate();
        return name;
    }

    private static string ServerConnection(string database, bool pooling) =>
        new NpgsqlConnectionStringBuilder(TestEngine.PostgresServer)
        {
            Database = database,
            Pooling = pooling,
            MaxPoolSize = 30,
            ConnectionIdleLifetime = 10,
            IncludeErrorDetail = true,
        }.ConnectionString;

    private static void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ServerConnection("postgres", pooling: false));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
