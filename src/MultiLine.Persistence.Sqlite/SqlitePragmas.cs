using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SQLitePCL;

namespace MultiLine.Persistence.Sqlite;

/// <summary>
/// Sets the per-connection SQLite options: WAL journal, busy timeout, foreign keys. A read-only connection (EF Core's
/// probe of whether the database exists) gets only the settings that write nothing, since switching a new file to WAL
/// is a write. Also registers <c>multiline_fold</c>, the case folding the accounts' search applies to names that are not
/// in its FTS5 table yet (the same folding the table's trigram tokenizer applies to those that are).
/// </summary>
internal sealed class SqlitePragmas(int busyTimeoutMilliseconds) : DbConnectionInterceptor
{
    private string Sql(DbConnection connection) =>
        new SqliteConnectionStringBuilder(connection.ConnectionString).Mode == SqliteOpenMode.ReadOnly
            ? $"PRAGMA busy_timeout={busyTimeoutMilliseconds}; PRAGMA foreign_keys=ON;"
            : $"PRAGMA journal_mode=WAL; PRAGMA busy_timeout={busyTimeoutMilliseconds}; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";

    private static void RegisterFunctions(DbConnection connection) =>
        ((SqliteConnection)connection).CreateFunction("multiline_fold", (string? text) => text?.ToLowerInvariant(), isDeterministic: true);

    /// <summary>
    /// The native connections whose pragmas are set. Microsoft.Data.Sqlite pools native connections, and one keeps its
    /// pragmas when it is opened again, so only its first open runs them; a context's open otherwise paid for four
    /// statements each time (about a tenth of checking a 1,000-row file, docs/performance.md).
    /// </summary>
    private static readonly ConditionalWeakTable<sqlite3, object> Configured = new();

    private static bool IsConfigured(DbConnection connection) =>
        ((SqliteConnection)connection).Handle is { } handle && Configured.TryGetValue(handle, out _);

    private static void MarkConfigured(DbConnection connection)
    {
        if (((SqliteConnection)connection).Handle is { } handle)
            Configured.AddOrUpdate(handle, Configured);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        RegisterFunctions(connection);
        if (IsConfigured(connection))
            return;
        using var command = connection.CreateCommand();
        command.CommandText = Sql(connection);
        command.ExecuteNonQuery();
        MarkConfigured(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        RegisterFunctions(connection);
        if (IsConfigured(connection))
            return;
        await using var command = connection.CreateCommand();
        command.CommandText = Sql(connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        MarkConfigured(connection);
    }
}
