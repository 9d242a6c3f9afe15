using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Demo;
using MultiLine.Core.Persistence;

namespace MultiLine.Persistence.Sqlite;

/// <summary>The embedded default: one SQLite file in WAL mode, with this assembly's migrations.</summary>
public sealed class SqliteEngine : IDatabaseEngine
{
    public static readonly SqliteEngine Instance = new();

    public string Name => "Sqlite";

    public void Configure(DbContextOptionsBuilder options, DatabaseOptions database, string contentRoot) =>
        options.UseMultiLineSqlite(database.SqliteConnectionString(contentRoot), database.BusyTimeoutMilliseconds);

    public bool IsBusy(Exception exception) =>
        (exception as SqliteException ?? exception.InnerException as SqliteException) is { SqliteErrorCode: SqliteBusy or SqliteLocked };

    private const int SqliteBusy = 5, SqliteLocked = 6;

    public Task InsertBatchRowsAsync(MultiLineDbContext db, int batchId, IEnumerable<MultiLine.Core.Batches.BatchRow> rows, CancellationToken cancellationToken = default) =>
        SqliteBatchRowWriter.InsertAsync(db, batchId, rows, cancellationToken);

    // The FTS5 tables and their triggers come from the TrigramSearch migration; a phrase query on a trigram table
    // matches exactly the rows that contain the text (case folded by the tokenizer).
    public Expression<Func<Account, bool>> AccountsContaining(MultiLineDbContext db, string text)
    {
        var ids = db.Database.SqlQuery<int>($"""SELECT rowid AS "Value" FROM "AccountsSearch" WHERE "AccountsSearch" MATCH {Phrase(text)}""");
        return a => ids.Contains(a.Id);
    }

    public IQueryable<int> NumbersContaining(MultiLineDbContext db, string digits) =>
        db.Database.SqlQuery<int>($"""SELECT rowid AS "Value" FROM "NumbersSearch" WHERE "NumbersSearch" MATCH {Phrase(digits)}""");

    /// <summary>The text as one FTS5 string: a phrase, so no character of it is read as query syntax.</summary>
    private static string Phrase(string text) => $"\"{text.Replace("\"", "\"\"")}\"";

    public async Task<IReadOnlyList<long>> ReserveKeysAsync(MultiLineDbContext db, string table, string keyColumn, int count, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Keys are reserved inside the transaction that inserts the rows.");
        // sqlite_sequence holds an AUTOINCREMENT table's largest key ever used; SQLite never hands out a key at or below
        // it, and keeps it up to date when a row is inserted with a larger key. The UPDATE takes the write lock, so no
        // other writer inserts into the table until this transaction ends.
        var quotedTable = "\"" + table.Replace("\"", "\"\"") + "\"";
        var quotedKey = "\"" + keyColumn.Replace("\"", "\"\"") + "\"";
        // Identifiers cannot be parameters; these are the model's own table and column names, quoted.
        var insert = $$"""
            INSERT INTO sqlite_sequence (name, seq)
            SELECT {0}, coalesce((SELECT max({{quotedKey}}) FROM {{quotedTable}}), 0)
            WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = {0})
            """;
#pragma warning disable EF1002
        await db.Database.ExecuteSqlRawAsync(insert, [table], cancellationToken);
#pragma warning restore EF1002
        var last = await db.Database.SqlQueryRaw<long>(
            "UPDATE sqlite_sequence SET seq = seq + {1} WHERE name = {0} RETURNING seq AS \"Value\"", table, count)
            .ToListAsync(cancellationToken);
        return [.. Enumerable.Range(0, count).Select(i => last.Single() - count + 1 + i)];
    }

    public async Task<IDemoRowWriter> OpenDemoRowWriterAsync(MultiLineDbContext db, CancellationToken cancellationToken = default)
    {
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        return new SqliteDemoRowWriter(connection, (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken));
    }
}

public static class SqliteDatabaseExtensions
{
    /// <summary>The SQLite settings every context uses, also in tests and benchmarks: pragmas, busy timeout, this assembly's migrations.</summary>
    public static TBuilder UseMultiLineSqlite<TBuilder>(this TBuilder options, string connectionString, int busyTimeoutMilliseconds = 10_000)
        where TBuilder : DbContextOptionsBuilder
    {
        options.UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(SqliteEngine).Assembly.GetName().Name))
            .AddInterceptors(new SqlitePragmas(busyTimeoutMilliseconds))
            .UseMultiLineDefaults(SqliteEngine.Instance);
        return options;
    }
}
