using System.Globalization;
using Microsoft.Data.Sqlite;
using MultiLine.Core.Persistence;
using SQLitePCL;

namespace MultiLine.Persistence.Sqlite;

/// <summary>
/// A single-row statement prepared once on the connection's native handle, its values bound by position: the parameter
/// indexes are looked up once, not (as <see cref="SqliteCommand"/> does on every execution) once per parameter per row.
/// Values are bound exactly as Microsoft.Data.Sqlite binds them (its <c>SqliteValueBinder</c>) for the types the model
/// stores: null, text, integers, enums, booleans, floating point, blobs and <see cref="DateTime"/> as text; a parameter of
/// any other type (or a <see cref="DateTime"/> stored as a Julian day) is not prepared here, and the caller binds by name.
/// </summary>
/// <remarks>
/// The statement runs in whatever transaction the connection is in (the caller's). A failing step throws the
/// <see cref="SqliteException"/> Microsoft.Data.Sqlite would (same codes, so a unique index is recognized as before).
/// </remarks>
internal sealed class SqlitePositionalStatement : IPositionalStatement
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly int[] _indexes;

    private SqlitePositionalStatement(sqlite3 db, sqlite3_stmt statement, int[] indexes) =>
        (_db, _statement, _indexes) = (db, statement, indexes);

    public static SqlitePositionalStatement? TryPrepare(SqliteTransaction transaction, string text, IReadOnlyList<PositionalParameter> parameters)
    {
        if (!parameters.All(p => Binds(p)))
            return null;
        return Prepare(transaction, text, parameters.Select(p => p.Name).ToArray());
    }

    /// <summary>Prepares <paramref name="text"/> for values of the types this class binds (the caller vouches for them).</summary>
    public static SqlitePositionalStatement Prepare(SqliteTransaction transaction, string text, IReadOnlyList<string> names)
    {
        var db = transaction.Connection?.Handle ?? throw new InvalidOperationException("The transaction's connection is closed.");
        var rc = raw.sqlite3_prepare_v2(db, text, out var statement);
        SqliteException.ThrowExceptionForRC(rc, db);
        var indexes = new int[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            indexes[i] = raw.sqlite3_bind_parameter_index(statement, names[i]);
            if (indexes[i] == 0)
            {
                statement.Dispose();
                throw new InvalidOperationException($"The statement has no parameter {names[i]}.");
            }
        }
        return new SqlitePositionalStatement(db, statement, indexes);
    }

    private static bool Binds(PositionalParameter parameter)
    {
        var type = Nullable.GetUnderlyingType(parameter.ProviderType) ?? parameter.ProviderType;
        if (type.IsEnum)
            type = Enum.GetUnderlyingType(type);
        return type == typeof(DateTime)
            ? parameter.Template is not SqliteParameter { SqliteType: SqliteType.Real }
            : type == typeof(string) || type == typeof(bool) || type == typeof(byte[]) || type == typeof(double) || type == typeof(float)
              || type == typeof(long) || type == typeof(int) || type == typeof(short) || type == typeof(sbyte) || type == typeof(byte)
              || type == typeof(ulong) || type == typeof(uint) || type == typeof(ushort);
    }

    public void Execute(ReadOnlySpan<object?> values)
    {
        if (values.Length != _indexes.Length)
            throw new ArgumentException($"The statement takes {_indexes.Length} values, not {values.Length}.", nameof(values));
        for (var i = 0; i < values.Length; i++)
            SqliteException.ThrowExceptionForRC(Bind(_indexes[i], values[i]), _db);
        var rc = raw.sqlite3_step(_statement);
        if (rc is raw.SQLITE_DONE or raw.SQLITE_ROW)
        {
            raw.sqlite3_reset(_statement);
            return;
        }
        try
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private int Bind(int index, object? value) => value switch
    {
        null or DBNull => raw.sqlite3_bind_null(_statement, index),
        string text => raw.sqlite3_bind_text(_statement, index, text),
        int number => raw.sqlite3_bind_int64(_statement, index, number),
        long number => raw.sqlite3_bind_int64(_statement, index, number),
        bool flag => raw.sqlite3_bind_int64(_statement, index, flag ? 1L : 0L),
        DateTime time => raw.sqlite3_bind_text(_statement, index, time.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture)),
        double number when double.IsNaN(number) => throw new InvalidOperationException("Cannot store 'NaN' values."),
        double number => raw.sqlite3_bind_double(_statement, index, number),
        float number when float.IsNaN(number) => throw new InvalidOperationException("Cannot store 'NaN' values."),
        float number => raw.sqlite3_bind_double(_statement, index, number),
        byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
        short number => raw.sqlite3_bind_int64(_statement, index, number),
        byte number => raw.sqlite3_bind_int64(_statement, index, number),
        sbyte number => raw.sqlite3_bind_int64(_statement, index, number),
        ushort number => raw.sqlite3_bind_int64(_statement, index, number),
        uint number => raw.sqlite3_bind_int64(_statement, index, number),
        ulong number => raw.sqlite3_bind_int64(_statement, index, unchecked((long)number)),
        Enum choice => Bind(index, Convert.ChangeType(choice, Enum.GetUnderlyingType(choice.GetType()), CultureInfo.InvariantCulture)),
        _ => throw new InvalidOperationException($"No way to bind a {value.GetType()} by position; prepare this statement with named parameters."),
    };

    public void Dispose() => _statement.Dispose();
}
