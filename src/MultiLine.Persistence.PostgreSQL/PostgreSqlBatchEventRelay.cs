using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;
using Npgsql;

namespace MultiLine.Persistence.PostgreSQL;

/// <summary>
/// Batch events between instances over PostgreSQL's own LISTEN/NOTIFY, for deployments on PostgreSQL without Redis:
/// one listening connection per instance, and each group of events sent in one round trip. A notification is
/// delivered once the sending statement commits, in the order sent.
/// </summary>
public sealed class PostgreSqlBatchEventRelay(
    IOptions<DatabaseOptions> database, BatchProgressNotifier notifier, BatchQueue queue, ILogger<PostgreSqlBatchEventRelay> logger)
    : BatchEventRelay(notifier, queue, logger)
{
    public const string Channel = "multiline_batch_events";

    private string ConnectionString => database.Value.ConnectionString
        ?? throw new InvalidOperationException("Database:ConnectionString is empty.");

    protected override string Transport => "PostgreSQL LISTEN/NOTIFY";

    protected override async Task SendAsync(IReadOnlyList<string> messages, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT pg_notify('{Channel}', m) FROM unnest($1) WITH ORDINALITY AS t(m, i) ORDER BY i", connection);
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. messages] });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    protected override async Task ListenAsync(Action<string> received, CancellationToken cancellationToken)
    {
        // Its own connection, outside the pool: it stays open, waiting, for as long as the instance runs.
        var listening = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false, KeepAlive = 30 }.ConnectionString;
        await using var connection = new NpgsqlConnection(listening);
        await connection.OpenAsync(cancellationToken);
        connection.Notification += (_, e) => received(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
            await listen.ExecuteNonQueryAsync(cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
            await connection.WaitAsync(cancellationToken);
    }
}
