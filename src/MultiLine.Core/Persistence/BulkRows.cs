using System.Data.Common;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace MultiLine.Core.Persistence;

/// <summary>
/// Writes many rows of one entity type past the change tracker, inside the context's current transaction, for the
/// batch worker's groups of hundreds of rows. The statements are built from the EF model (table, columns, type
/// mappings and value converters, so values are stored exactly as <c>SaveChanges</c> stores them): inserts as multi-row
/// <c>INSERT … VALUES</c> of 50 rows with keys reserved beforehand; updates as one single-row statement per entity,
/// prepared once and reused where the provider runs one command at a time (SQLite), sent hundreds to a round trip with
/// ADO.NET's <see cref="DbBatch"/> where the provider pipelines them (PostgreSQL). The SQL is the same on both engines.
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

    /// <summary>Updates the given properties of every entity, found by its key.</summary>
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
        var text = $"UPDATE {table.Name} SET {string.Join(", ", set.Select(c => $"{c.Name} = {c.Placeholder}"))}"
            + $" WHERE {string.Join(" AND ", key.Select(c => $"{c.Name} = {c.Placeholder}"))}";
        await ExecuteAsync(db, text, [.. set, .. key], entities, cancellationToken);
    }

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

        // One prepared statement and one set of parameters, given each entity's values in turn.
        var parameters = columns.Select(c => c.Parameter(command, null)).ToArray();
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

        /// <summary>The entity's value as the column stores it (through the mapping's value converter, as SaveChanges does).</summary>
        public object? ProviderValue(object entity)
        {
            var value = _getter.GetClrValueUsingContainingEntity(entity);
            return Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
        }
    }

    private static Table TableOf<T>(MultiLineDbContext db) where T : class
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
