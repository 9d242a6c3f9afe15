using System.Buffers;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MultiLine.Core.Persistence;

/// <summary>
/// Writes many rows of one entity type past the change tracker, inside the context's current transaction, for the
/// batch worker's groups of hundreds of rows. The statements are built from the EF model (table, columns, type
/// mappings and value converters, so values are stored exactly as <c>SaveChanges</c> stores them), with keys reserved
/// beforehand. Where the provider runs one command at a time in process (SQLite), inserts are one prepared single-row
/// statement reused, and updates one statement per 1,000 rows reading them from one JSON parameter
/// (<see cref="JsonRowSource"/>); where it pipelines commands over the network (PostgreSQL), inserts are multi-row
/// <c>INSERT … VALUES</c> of 50 rows and updates single-row statements sent hundreds to a round trip with ADO.NET's
/// <see cref="DbBatch"/>.
/// </summary>
/// <remarks>
/// Nothing is tracked and no query filter applies: callers are the system's own units of work, which decide what they
/// write. An insert fills the entity's generated key; a failing statement (e.g. a unique index) throws and leaves the
/// caller's transaction to roll back, as <c>SaveChanges</c> would.
/// </remarks>
public static class BulkRows
{
    /// <summary>Statements per round trip where the provider batches them.</summary>
    public const int StatementsPerRoundTrip = 500;

    /// <summary>Rows per multi-row INSERT where the provider sends statements one round trip each (PostgreSQL).</summary>
    public const int RowsPerInsert = 50;

    /// <summary>
    /// Inserts every entity with all its mapped columns. A generated key is reserved from the engine first
    /// (<see cref="IDatabaseEngine.ReserveKeysAsync"/>) and written with the row, so nothing is read back. Over a network
    /// (PostgreSQL) many rows go in one statement; in process (SQLite) one prepared single-row statement is reused, because
    /// its ADO.NET provider binds every parameter by name and SQLite finds a name by a linear search of the statement's
    /// parameters: a 50-row statement's ~750 parameters cost more to bind than the statements they save (measured in
    /// docs/performance.md: 100,000 accounts spent ~6 s binding).
    /// </summary>
    public static async Task InsertAsync<T>(MultiLineDbContext db, IReadOnlyList<T> entities, CancellationToken cancellationToken = default) where T : class
    {
        if (entities.Count == 0)
            return;
        var transaction = Transaction(db);
        var table = TableOf<T>(db);
        var key = table.Type.FindPrimaryKey()?.Properties.SingleOrDefault()
            ?? throw new InvalidOperationException($"{typeof(T).Name} needs a single-column key for bulk inserts.");
        if (key.ValueGenerated.HasFlag(ValueGenerated.OnAdd))
        {
            var engine = db.Engine ?? throw new InvalidOperationException("The context was built without its engine (UseMultiLineDefaults).");
            var keys = await engine.ReserveKeysAsync(db, table.Store.Name, key.GetColumnName(table.Store)!, entities.Count, cancellationToken);
            var setKey = key.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}'s key has no property.");
            for (var i = 0; i < entities.Count; i++)
                setKey.SetValue(entities[i], Convert.ChangeType(keys[i], key.ClrType, System.Globalization.CultureInfo.InvariantCulture));
        }
        // Columns the model never writes on insert (a value only the database maintains) keep their default.
        var columns = table.Columns.Where(c => c.Property.GetBeforeSaveBehavior() == PropertySaveBehavior.Save).ToList();
        if (!transaction.Connection!.CanCreateBatch)
        {
            // Not through the JSON row source: a row of 15 or more columns is parsed once per column read from it, which
            // cost SQLite more than binding the values (measured with the 100,000-row import, docs/performance.md).
            var text = $"INSERT INTO {table.Name} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES ({string.Join(", ", columns.Select(c => c.Placeholder))})";
            await ExecuteAsync(db, text, columns, entities, cancellationToken);
            return;
        }
        DbCommand? full = null;
        try
        {
            foreach (var chunk in entities.Chunk(RowsPerInsert))
            {
                // Full chunks share one prepared statement; the last, shorter one gets its own.
                DbCommand command;
                if (chunk.Length == RowsPerInsert && full is not null)
                    command = full;
                else
                {
                    command = transaction.Connection!.CreateCommand();
                    command.Transaction = transaction;
                    var rows = Enumerable.Range(0, chunk.Length)
                        .Select(r => "(" + string.Join(", ", columns.Select(c => c.Placeholder + "_" + r)) + ")");
                    command.CommandText = $"INSERT INTO {table.Name} ({string.Join(", ", columns.Select(c => c.Name))}) VALUES {string.Join(", ", rows)}";
                    for (var r = 0; r < chunk.Length; r++)
                        foreach (var column in columns)
                            command.Parameters.Add(column.Parameter(command, null, "_" + r));
                    if (chunk.Length == RowsPerInsert)
                    {
                        full = command;
                        await command.PrepareAsync(cancellationToken);
                    }
                }
                var parameter = 0;
                foreach (var entity in chunk)
                    foreach (var column in columns)
                        command.Parameters[parameter++].Value = column.ProviderValue(entity) ?? DBNull.Value;
                await command.ExecuteNonQueryAsync(cancellationToken);
                if (command != full)
                    await command.DisposeAsync();
            }
        }
        finally
        {
            if (full is not null)
                await full.DisposeAsync();
        }
    }

    /// <summary>
    /// Updates the given properties of every entity, found by its key. On SQLite the rows go 1,000 to a statement as one
    /// JSON parameter: a prepared single-row UPDATE per row spent most of the 100,000-row import's worker time binding
    /// values and opening the table's index cursors again for each row (docs/performance.md).
    /// </summary>
    public static async Task UpdateAsync<T>(MultiLineDbContext db, IReadOnlyList<T> entities, CancellationToken cancellationToken, params Expression<Func<T, object?>>[] properties) where T : class
    {
        if (entities.Count == 0)
            return;
        var table = TableOf<T>(db);
        var names = properties.Select(MemberName).ToHashSet(StringComparer.Ordinal);
        var set = table.Columns.Where(c => names.Contains(c.Property.Name)).ToList();
        if (set.FirstOrDefault(c => c.Property.GetAfterSaveBehavior() != PropertySaveBehavior.Save) is { } readOnly)
            throw new InvalidOperationException($"{typeof(T).Name}.{readOnly.Property.Name} is not written after insert.");
        if (set.Count != names.Count)
            throw new InvalidOperationException($"Some properties of {typeof(T).Name} are not mapped columns: {string.Join(", ", names.Except(set.Select(c => c.Property.Name)))}.");
        var key = table.Type.FindPrimaryKey()!.Properties.Select(p => table.Columns.Single(c => c.Property == p)).ToList();
        if (!Transaction(db).Connection!.CanCreateBatch)
        {
            var assignments = string.Join(", ", set.Select((c, i) => $"{c.Name} = s.c{i}"));
            var match = string.Join(" AND ", key.Select((c, i) => $"{table.Name}.{c.Name} = s.c{set.Count + i}"));
            if (await TryExecuteAsJsonAsync(db, table, source => $"UPDATE {table.Name} SET {assignments} FROM ({source}) AS s WHERE {match}",
                    [.. set, .. key], entities, cancellationToken))
                return;
        }
        var text = $"UPDATE {table.Name} SET {string.Join(", ", set.Select(c => $"{c.Name} = {c.Placeholder}"))}"
            + $" WHERE {string.Join(" AND ", key.Select(c => $"{c.Name} = {c.Placeholder}"))}";
        await ExecuteAsync(db, text, [.. set, .. key], entities, cancellationToken);
    }

    /// <summary>Rows per statement when the engine takes a group of rows as one JSON parameter.</summary>
    public const int RowsPerJsonStatement = 1_000;

    /// <summary>
    /// Writes the entities as statements of <see cref="RowsPerJsonStatement"/> rows, each given its rows as one JSON
    /// parameter the engine reads as a row source (<see cref="IDatabaseEngine.RowSource"/>). False, with nothing written,
    /// when the engine has no such source or a column's type cannot go through it.
    /// </summary>
    private static async Task<bool> TryExecuteAsJsonAsync<T>(MultiLineDbContext db, Table table, Func<string, string> statement,
        IReadOnlyList<Column> columns, IReadOnlyList<T> entities, CancellationToken cancellationToken) where T : class
    {
        if (db.Engine?.RowSource is not { } source)
            return false;
        // Every group's JSON is written before anything is sent, so a value the source cannot take changes nothing.
        var groups = new List<string>((entities.Count + RowsPerJsonStatement - 1) / RowsPerJsonStatement);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var chunk in entities.Chunk(RowsPerJsonStatement))
        {
            buffer.ResetWrittenCount();
            await using (var writer = new Utf8JsonWriter(buffer, JsonRows))
            {
                writer.WriteStartArray();
                foreach (var entity in chunk)
                {
                    writer.WriteStartArray();
                    foreach (var column in columns)
                        if (!source.TryWrite(writer, column.ProviderValue(entity)))
                            return false;
                    writer.WriteEndArray();
                }
                writer.WriteEndArray();
            }
            groups.Add(Encoding.UTF8.GetString(buffer.WrittenSpan));
        }

        var transaction = Transaction(db);
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = statement(source.Select(table.Sql.GenerateParameterNamePlaceholder("rows"), columns.Count));
        var parameter = command.CreateParameter();
        parameter.ParameterName = table.Sql.GenerateParameterName("rows");
        command.Parameters.Add(parameter);
        if (groups.Count > 1)
            await command.PrepareAsync(cancellationToken);
        foreach (var group in groups)
        {
            parameter.Value = group;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return true;
    }

    // Only what JSON requires is escaped: names and addresses in any script stay as they are.
    private static readonly JsonWriterOptions JsonRows = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One single-row statement per entity: prepared and reused, or hundreds to a round trip where the provider batches.</summary>
    private static async Task ExecuteAsync<T>(MultiLineDbContext db, string text, IReadOnlyList<Column> columns, IReadOnlyList<T> entities,
        CancellationToken cancellationToken) where T : class
    {
        var transaction = Transaction(db);
        var connection = transaction.Connection!;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = text;
        if (connection.CanCreateBatch)
        {
            foreach (var chunk in entities.Chunk(StatementsPerRoundTrip))
            {
                await using var batch = connection.CreateBatch();
                batch.Transaction = transaction;
                foreach (var entity in chunk)
                {
                    var statement = batch.CreateBatchCommand();
                    statement.CommandText = text;
                    foreach (var column in columns)
                        statement.Parameters.Add(column.Parameter(command, entity));
                    batch.BatchCommands.Add(statement);
                }
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
            return;
        }

        // One prepared statement, given each entity's values in turn: bound by position where the engine can.
        var parameters = columns.Select(c => c.Parameter(command, null)).ToArray();
        var positional = db.Engine?.PreparePositional(transaction, text,
            [.. columns.Select((c, i) => new PositionalParameter(c.Placeholder, parameters[i], c.ProviderType))]);
        if (positional is not null)
        {
            using (positional)
            {
                var values = new object?[columns.Count];
                foreach (var entity in entities)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    for (var i = 0; i < columns.Count; i++)
                        values[i] = columns[i].ProviderValue(entity);
                    positional.Execute(values);
                }
            }
            return;
        }
        command.Parameters.AddRange(parameters);
        await command.PrepareAsync(cancellationToken);
        foreach (var entity in entities)
        {
            for (var i = 0; i < columns.Count; i++)
                parameters[i].Value = columns[i].ProviderValue(entity) ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static DbTransaction Transaction(MultiLineDbContext db) =>
        db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("Bulk writes run inside the caller's transaction; begin one first.");

    private sealed record Table(IEntityType Type, StoreObjectIdentifier Store, string Name, IReadOnlyList<Column> Columns, ISqlGenerationHelper Sql);

    private sealed record Column(IProperty Property, string Name, string ParameterName, string Placeholder, RelationalTypeMapping Mapping)
    {
        private readonly IClrPropertyGetter _getter = Property.GetGetter();

        /// <summary>A parameter typed by the column's mapping, holding <paramref name="entity"/>'s value (null: none yet).</summary>
        public DbParameter Parameter(DbCommand command, object? entity, string suffix = "") =>
            Mapping.CreateParameter(command, ParameterName + suffix, entity is null ? null : _getter.GetClrValueUsingContainingEntity(entity), Property.IsNullable);

        /// <summary>The CLR type of the values the column stores (after the mapping's value converter).</summary>
        public Type ProviderType => Mapping.Converter?.ProviderClrType ?? Mapping.ClrType;

        /// <summary>The entity's value as the column stores it (through the mapping's value converter, as SaveChanges does).</summary>
        public object? ProviderValue(object entity)
        {
            var value = _getter.GetClrValueUsingContainingEntity(entity);
            return Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
        }
    }

    /// <summary>Each model's tables as bulk writes see them, built once: a large batch writes hundreds of groups.</summary>
    private static readonly ConditionalWeakTable<IModel, ConcurrentDictionary<Type, Table>> Tables = new();

    private static Table TableOf<T>(MultiLineDbContext db) where T : class =>
        Tables.GetValue(db.Model, _ => new ConcurrentDictionary<Type, Table>()).GetOrAdd(typeof(T), _ => BuildTable<T>(db));

    private static Table BuildTable<T>(MultiLineDbContext db) where T : class
    {
        var type = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not an entity.");
        var sql = db.GetService<ISqlGenerationHelper>();
        var store = StoreObjectIdentifier.Table(type.GetTableName()!, type.GetSchema());
        var columns = type.GetProperties()
            .Where(p => p.GetColumnName(store) is not null)
            .Select((p, i) =>
            {
                if (p.IsShadowProperty())
                    throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} is a shadow property; bulk writes need every column on the class.");
                var parameter = $"p{i}";
                return new Column(p, sql.DelimitIdentifier(p.GetColumnName(store)!), sql.GenerateParameterName(parameter),
                    sql.GenerateParameterNamePlaceholder(parameter), (RelationalTypeMapping)p.GetRelationalTypeMapping());
            })
            .ToList();
        return new Table(type, store, sql.DelimitIdentifier(store.Name, store.Schema), columns, sql);
    }

    private static string MemberName<T>(Expression<Func<T, object?>> property) => property.Body switch
    {
        MemberExpression member => member.Member.Name,
        UnaryExpression { Operand: MemberExpression member } => member.Member.Name,
        _ => throw new ArgumentException($"Expected a property access, got {property}.", nameof(property)),
    };
}
