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

    public bool QueriesRunInProcess => true;

    public JsonRowSource? RowSource => SqliteJsonRowSource.Instance;

    public IPositionalStatement? PreparePositional(System.Data.Common.DbTransaction transaction, string text, IReadOnlyList<PositionalParameter> parameters) =>
        SqlitePositionalStatement.TryPrepare((SqliteTransaction)transaction, text, parameters);

    public Task InsertBatchRowsAsync(MultiLineDbContext db, int batchId, IEnumerable<MultiLine.Core.Batches.BatchRow> rows, CancellationToken cancellationToken = default) =>
        SqliteBatchRowWriter.InsertAsync(db, batchId, rows, cancellationToken);

    // The FTS5 tables come from the TrigramSearch migration; a phrase query on a trigram table matches exactly the rows
    // that contain the text (case folded by the tokenizer). Accounts above the table's mark (DeferredAccountSearch) are
    // not in it yet: they are few (those inserted since the catch-up last ran), read by their primary key and compared
    // with the same case folding, so a search never misses an account that exists.
    public Expression<Func<Account, bool>> AccountsContaining(MultiLineDbContext db, string text)
    {
        var ids = db.Database.SqlQuery<int>($"""
            SELECT rowid AS "Value" FROM "AccountsSearch" WHERE "AccountsSearch" MATCH {Phrase(text)}
            UNION ALL
            SELECT "Id" AS "Value" FROM "Accounts"
            WHERE "Id" > (SELECT "IndexedThrough" FROM "SearchIndexState" WHERE "Name" = 'Accounts')
              AND (instr("NormalizedUsername", {text}) > 0
                OR instr(multiline_fold(coalesce("FirstName", '') || ' ' || coalesce("LastName", '')), {text}) > 0)
            """);
        return a => ids.Contains(a.Id);
    }

    public async Task<int> IndexNewAccountsAsync(MultiLineDbContext db, int maxRows, CancellationToken cancellationToken = default)
    {
        // One write transaction (Microsoft.Data.Sqlite begins IMMEDIATE): the mark and the rows below it move together,
        // and no account can be inserted with a smaller key afterwards (AUTOINCREMENT never reuses one), so every account
        // is indexed exactly once.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var range = (await db.Database.SqlQuery<PendingRange>($"""
            SELECT (SELECT "IndexedThrough" FROM "SearchIndexState" WHERE "Name" = 'Accounts') AS "After",
                   count(*) AS "Count", coalesce(max("Id"), 0) AS "Through"
            FROM (SELECT "Id" FROM "Accounts"
                  WHERE "Id" > (SELECT "IndexedThrough" FROM "SearchIndexState" WHERE "Name" = 'Accounts')
                  ORDER BY "Id" LIMIT {maxRows})
            """).ToListAsync(cancellationToken)).Single();
        if (range.Count == 0)
            return 0;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO "AccountsSearch"(rowid, "Username", "Name")
            SELECT "Id", "NormalizedUsername", coalesce("FirstName", '') || ' ' || coalesce("LastName", '') FROM "Accounts"
            WHERE "Id" > {range.After} AND "Id" <= {range.Through}
            """, cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""UPDATE "SearchIndexState" SET "IndexedThrough" = {range.Through} WHERE "Name" = 'Accounts'""", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return range.Count;
    }

    private sealed record PendingRange(long After, int Count, long Through);

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
