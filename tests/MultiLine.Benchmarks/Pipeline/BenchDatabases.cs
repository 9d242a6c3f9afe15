using Microsoft.Data.Sqlite;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.PostgreSQL;
using MultiLine.Persistence.Sqlite;
using Npgsql;

namespace MultiLine.Benchmarks.Pipeline;

/// <summary>The pipeline bench's database engine: where the seeded template lives and how a clean copy of it is made.</summary>
public abstract class BenchEngine
{
    /// <summary>The environment variable holding the PostgreSQL server's connection string (any database on it).</summary>
    public const string PostgresVariable = "MULTILINE_TEST_POSTGRES";

    public abstract string Name { get; }
    public abstract IDatabaseEngine Engine { get; }

    /// <summary>A new empty database for seeding the template.</summary>
    public abstract Task<BenchDatabase> CreateTemplateAsync();

    /// <summary>The template, once seeded and closed: every connection to it ended, its files settled.</summary>
    public abstract Task SealTemplateAsync(BenchDatabase template);

    /// <summary>A copy of the seeded template; disposing it drops the copy.</summary>
    public abstract Task<BenchDatabase> CopyAsync(string template, string name);

    /// <summary>Drops the template and anything of this run left behind.</summary>
    public abstract Task CleanUpAsync(string template);

    /// <summary>The engine's name, version and the settings that matter for speed, for the table's heading.</summary>
    public abstract Task<string> DescribeAsync();

    /// <summary>The engine named by <c>--provider</c>: <c>sqlite</c> (default) or <c>postgresql</c>.</summary>
    public static BenchEngine For(string provider, string folder, string runId) => provider.ToLowerInvariant() switch
    {
        "sqlite" => new SqliteBenchEngine(folder),
        "postgresql" => new PostgreSqlBenchEngine(runId),
        _ => throw new ArgumentException($"--provider is \"{provider}\"; use sqlite or postgresql."),
    };
}

/// <summary>One database of a run: the app's settings for it and a raw connection string for the floors.</summary>
public sealed class BenchDatabase(string id, string connectionString, IReadOnlyDictionary<string, string?> settings, Func<Task> drop) : IAsyncDisposable
{
    /// <summary>The SQLite file, or the PostgreSQL database's name.</summary>
    public string Id { get; } = id;

    /// <summary>Microsoft.Data.Sqlite's or Npgsql's connection string.</summary>
    public string ConnectionString { get; } = connectionString;

    /// <summary>The configuration keys that point the app at this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; } = settings;

    public ValueTask DisposeAsync() => new(drop());
}

/// <summary>SQLite: the template is a file; a copy is a file copy (the template is checkpointed, so it has no WAL).</summary>
public sealed class SqliteBenchEngine(string folder) : BenchEngine
{
    public override string Name => "SQLite";
    public override IDatabaseEngine Engine => SqliteEngine.Instance;

    public override Task<BenchDatabase> CreateTemplateAsync() => Task.FromResult(Open(Path.Combine(folder, "seeded.db")));

    public override async Task SealTemplateAsync(BenchDatabase template)
    {
        await using (var connection = new SqliteConnection($"Data Source={template.Id};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await command.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
    }

    public override async Task<BenchDatabase> CopyAsync(string template, string name)
    {
        var path = Path.Combine(Path.GetDirectoryName(template)!, name + ".db");
        await using (var source = new FileStream(template, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
        await using (var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            await source.CopyToAsync(target);
        return Open(path);
    }

    public override async Task<string> DescribeAsync()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = new SqliteCommand("SELECT sqlite_version()", connection);
        return $"SQLite {await command.ExecuteScalarAsync()} (a file in the temp folder; WAL, synchronous=NORMAL, as the app sets them)";
    }

    public override Task CleanUpAsync(string template)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(template + suffix);
        return Task.CompletedTask;
    }

    private static BenchDatabase Open(string path) => new(
        path,
        $"Data Source={path};Pooling=True",
        new Dictionary<string, string?> { ["Database:Provider"] = "Sqlite", ["Database:Path"] = path },
        () =>
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
                File.Delete(path + suffix);
            return Task.CompletedTask;
        });
}

/// <summary>
/// PostgreSQL on the server named by <see cref="BenchEngine.PostgresVariable"/>: the template is a database of its own,
/// a copy is <c>CREATE DATABASE … TEMPLATE</c>. Every database this run makes is named after the run and dropped at the end.
/// </summary>
public sealed class PostgreSqlBenchEngine(string runId) : BenchEngine
{
    public override string Name => "PostgreSQL";
    public override IDatabaseEngine Engine => PostgreSqlEngine.Instance;

    private string Prefix => $"mlbench_{runId}_";

    private static string Server =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                $"--provider postgresql needs a PostgreSQL server: set {PostgresVariable} to an Npgsql connection string of a user that may create databases " +
                "(the test scripts start one: source tests/engines.sh; engines_start).");

    public override async Task<BenchDatabase> CreateTemplateAsync()
    {
        var name = Prefix + "seeded";
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return Open(name);
    }

    public override async Task SealTemplateAsync(BenchDatabase template)
    {
        // A served database is vacuumed and analyzed by autovacuum soon after a bulk load; the copies inherit this.
        await using (var connection = new NpgsqlConnection(Connection(template.Id, pooling: false)))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("VACUUM (ANALYZE)", connection) { CommandTimeout = 600 };
            await command.ExecuteNonQueryAsync();
        }
        NpgsqlConnection.ClearAllPools();
    }

    public override async Task<BenchDatabase> CopyAsync(string template, string name)
    {
        var database = Prefix + name;
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        await ExecuteAsync($"CREATE DATABASE \"{database}\" TEMPLATE \"{template}\" STRATEGY FILE_COPY");
        return Open(database);
    }

    public override async Task<string> DescribeAsync()
    {
        await using var connection = new NpgsqlConnection(Connection(null, pooling: false));
        await connection.OpenAsync();
        var settings = new List<string>();
        foreach (var name in new[] { "fsync", "synchronous_commit", "shared_buffers" })
        {
            await using var show = new NpgsqlCommand($"SHOW {name}", connection);
            settings.Add($"{name}={await show.ExecuteScalarAsync()}");
        }
        return $"PostgreSQL {connection.PostgreSqlVersion} on {connection.Host}:{connection.Port} ({string.Join(", ", settings)})";
    }

    public override async Task CleanUpAsync(string template)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Connection(null, pooling: false));
        await connection.OpenAsync();
        var names = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", connection))
        {
            list.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Prefix });
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                names.Add(reader.GetString(0));
        }
        foreach (var name in names)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private BenchDatabase Open(string name)
    {
        var connectionString = Connection(name, pooling: true);
        return new BenchDatabase(
            name,
            connectionString,
            new Dictionary<string, string?> { ["Database:Provider"] = "PostgreSQL", ["Database:ConnectionString"] = connectionString },
            async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            });
    }

    /// <summary>The server's connection string for <paramref name="database"/> (null: the one the variable names).</summary>
    private static string Connection(string? database, bool pooling)
    {
        var builder = new NpgsqlConnectionStringBuilder(Server) { Pooling = pooling, IncludeErrorDetail = true };
        if (database is not null)
            builder.Database = database;
        return builder.ConnectionString;
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Connection(null, pooling: false));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }
}
