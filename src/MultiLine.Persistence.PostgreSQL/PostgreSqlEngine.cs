using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Demo;
using MultiLine.Core.Persistence;
using Npgsql;

namespace MultiLine.Persistence.PostgreSQL;

/// <summary>
/// PostgreSQL, for deployments with several web and worker instances: Npgsql with this assembly's migrations. Selected
/// with <c>Database:Provider = PostgreSQL</c> and reached through <c>Database:ConnectionString</c>.
/// </summary>
public sealed class PostgreSqlEngine : IDatabaseEngine
{
    public static readonly PostgreSqlEngine Instance = new();

    public string Name => "PostgreSQL";

    public void Configure(DbContextOptionsBuilder options, DatabaseOptions database, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(database.ConnectionString))
            throw new InvalidOperationException(
                "Database:Provider is PostgreSQL but Database:ConnectionString is empty. Set it to an Npgsql connection string, " +
                "e.g. Host=db;Database=multiline;Username=multiline;Password=…");
        options.UseMultiLinePostgreSql(database.ConnectionString);
    }

    /// <summary>
    /// A write that lost a race the server resolves by aborting one side (serialization failure, deadlock, lock not
    /// available) can be tried again; PostgreSQL itself never returns "busy" the way SQLite does.
    /// </summary>
    public bool IsBusy(Exception exception) =>
        (exception as PostgresException ?? exception.InnerException as PostgresException) is { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable };

    public bool QueriesRunInProcess => false;

    public JsonRowSource? RowSource => null;

    public IPositionalStatement? PreparePositional(System.Data.Common.DbTransaction transaction, string text, IReadOnlyList<PositionalParameter> parameters) => null;

    public Task InsertBatchRowsAsync(MultiLineDbContext db, int batchId, IEnumerable<MultiLine.Core.Batches.BatchRow> rows, CancellationToken cancellationToken = default) =>
        PostgreSqlBatchRowWriter.InsertAsync(db, batchId, rows, cancellationToken);

    // The TrigramSearch migration's pg_trgm GIN indexes serve the search's own LIKE on the same rows (a bitmap OR of the
    // two), so the condition stays the one every engine means; the name index is on the very expression it compares.
    public Expression<Func<Account, bool>> AccountsContaining(MultiLineDbContext db, string text) =>
        AccountDirectory.NameOrUsernameLike(text);

    /// <summary>The GIN indexes are written with every insert: nothing is ever behind.</summary>
    public Task<int> IndexNewAccountsAsync(MultiLineDbContext db, int maxRows, CancellationToken cancellationToken = default) => Task.FromResult(0);

    public IQueryable<int> NumbersContaining(MultiLineDbContext db, string digits) =>
        db.Database.SqlQuery<int>($"""SELECT "Id" AS "Value" FROM "Numbers" WHERE "E164" LIKE {LikePatterns.Containing(digits)} ESCAPE '\'""");

    public async Task<IReadOnlyList<long>> ReserveKeysAsync(MultiLineDbContext db, string table, string keyColumn, int count, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Keys are reserved inside the transaction that inserts the rows.");
        // The identity column's sequence: values drawn are never handed out again, even if this transaction rolls back.
        var quotedTable = "\"" + table.Replace("\"", "\"\"") + "\"";
        return await db.Database.SqlQueryRaw<long>(
                "SELECT nextval(pg_get_serial_sequence({0}, {1})) AS \"Value\" FROM generate_series(1, {2})", quotedTable, keyColumn, count)
            .ToListAsync(cancellationToken);
    }

    public async Task<IDemoRowWriter> OpenDemoRowWriterAsync(MultiLineDbContext db, CancellationToken cancellationToken = default)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        return new PostgreSqlDemoRowWriter(connection, await connection.BeginTransactionAsync(cancellationToken));
    }
}

public static class PostgreSqlDatabaseExtensions
{
    /// <summary>The PostgreSQL settings every context uses, also in tests and benchmarks: Npgsql and this assembly's migrations.</summary>
    public static TBuilder UseMultiLinePostgreSql<TBuilder>(this TBuilder options, string connectionString)
        where TBuilder : DbContextOptionsBuilder
    {
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(typeof(PostgreSqlEngine).Assembly.GetName().Name))
            .UseMultiLineDefaults(PostgreSqlEngine.Instance);
        return options;
    }
}
