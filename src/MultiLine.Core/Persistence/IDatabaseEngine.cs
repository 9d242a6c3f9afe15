using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Demo;

namespace MultiLine.Core.Persistence;

/// <summary>
/// A database engine the portal runs on, chosen with <c>Database:Provider</c>. Each engine lives in its own persistence
/// assembly with its own migrations (EF Core's pattern of one migrations assembly per provider), so the domain library
/// holds no provider, SQL dialect or migration.
/// </summary>
public interface IDatabaseEngine
{
    /// <summary>The value of <c>Database:Provider</c> that selects this engine, e.g. <c>Sqlite</c>.</summary>
    string Name { get; }

    /// <summary>Connects contexts to the engine (provider, connection, migrations assembly, interceptors).</summary>
    void Configure(DbContextOptionsBuilder options, DatabaseOptions database, string contentRoot);

    /// <summary>
    /// True where a query is executed by this process on the thread that awaits it (SQLite): independent lookups gain from
    /// running on other threads. False where a server executes it (PostgreSQL): one connection used in turn is cheaper.
    /// </summary>
    bool QueriesRunInProcess { get; }

    /// <summary>
    /// The command failed only because another writer held the database (SQLite: busy or locked), so the same write
    /// can succeed when tried again.
    /// </summary>
    bool IsBusy(Exception exception);

    /// <summary>
    /// Stores a batch's rows the engine's fastest way (one prepared statement reused per row on SQLite, binary
    /// <c>COPY</c> on PostgreSQL), inside the context's current transaction, reading <paramref name="rows"/> once as
    /// they come so a 100,000-row file is never held twice. The rows' ids are not read back.
    /// </summary>
    Task InsertBatchRowsAsync(MultiLineDbContext db, int batchId, IEnumerable<Batches.BatchRow> rows, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes <paramref name="count"/> values of <paramref name="table"/>'s generated key that no other writer will use,
    /// inside the context's current transaction (SQLite: advances the table's AUTOINCREMENT counter, which also takes the
    /// write lock; PostgreSQL: draws from the identity sequence), so many rows can be inserted with their keys in one
    /// statement without reading them back.
    /// </summary>
    Task<IReadOnlyList<long>> ReserveKeysAsync(MultiLineDbContext db, string table, string keyColumn, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// How the engine takes a group of rows as one statement (<see cref="BulkRows"/>), or null where single-row statements
    /// go many to a round trip instead (PostgreSQL pipelines an ADO.NET batch).
    /// </summary>
    JsonRowSource? RowSource { get; }

    /// <summary>
    /// Prepares <paramref name="text"/> on the transaction's connection to run once per row with values bound by position,
    /// or null when the engine has no such path (PostgreSQL sends single-row statements many to a round trip instead) or
    /// cannot bind one of the parameters' types exactly as its ADO.NET provider does; the caller then binds by name.
    /// </summary>
    IPositionalStatement? PreparePositional(DbTransaction transaction, string text, IReadOnlyList<PositionalParameter> parameters);

    /// <summary>The engine's fast path for the demo data's bulk rows, inside one transaction on the context's connection.</summary>
    Task<IDemoRowWriter> OpenDemoRowWriterAsync(MultiLineDbContext db, CancellationToken cancellationToken = default);

    /// <summary>
    /// The condition "the account's username or "first last" name contains <paramref name="text"/>", ignoring case and
    /// keeping diacritics, in the form the engine's trigram index serves (FTS5 on SQLite, pg_trgm on PostgreSQL).
    /// <paramref name="text"/> is lower-case and has at least <see cref="TrigramLength"/> characters. The condition
    /// says nothing of scope: the query it is composed into, from the same context, applies it.
    /// </summary>
    System.Linq.Expressions.Expression<Func<Accounts.Account, bool>> AccountsContaining(MultiLineDbContext db, string text);

    /// <summary>
    /// The ids of the numbers whose E.164 contains <paramref name="digits"/> (at least <see cref="TrigramLength"/>),
    /// through the engine's trigram index; from every organization: compose them into a query of the same context.
    /// </summary>
    IQueryable<int> NumbersContaining(MultiLineDbContext db, string digits);

    /// <summary>
    /// Brings the accounts' search index up to date with accounts inserted since it last ran, at most
    /// <paramref name="maxRows"/> of them in one short transaction, and returns how many it indexed (0 when nothing was
    /// left). SQLite indexes new accounts in bulk here rather than one trigger call per inserted row, and its search reads
    /// the accounts above the index's mark directly, so results never wait for this (docs/adr-search-index.md);
    /// PostgreSQL's trigram indexes are part of every insert, so it has nothing to do.
    /// </summary>
    Task<int> IndexNewAccountsAsync(MultiLineDbContext db, int maxRows, CancellationToken cancellationToken = default);

    /// <summary>A trigram index finds text of three characters or more; shorter searches scan.</summary>
    const int TrigramLength = 3;
}
