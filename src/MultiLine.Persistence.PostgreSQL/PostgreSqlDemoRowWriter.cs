using MultiLine.Core.Demo;
using Npgsql;
using NpgsqlTypes;

namespace MultiLine.Persistence.PostgreSQL;

/// <summary>
/// The demo's bulk rows through binary <c>COPY</c>, in one transaction. Account ids are taken from the table's own
/// identity sequence in blocks, so numbers can point at accounts before anything is written; both tables are then
/// streamed in one <c>COPY</c> each when the seeder commits.
/// </summary>
internal sealed class PostgreSqlDemoRowWriter(NpgsqlConnection connection, NpgsqlTransaction transaction) : IDemoRowWriter
{
    private const int IdBlock = 10_000;
    private readonly List<(int Id, DemoAccountRow Row)> _accounts = [];
    private readonly List<DemoNumberRow> _numbers = [];
    private readonly Queue<int> _ids = new();

    public long AddAccount(DemoAccountRow account)
    {
        if (_ids.Count == 0)
            ReserveIds();
        var id = _ids.Dequeue();
        _accounts.Add((id, account));
        return id;
    }

    public void AddNumber(DemoNumberRow number) => _numbers.Add(number);

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY "Accounts" ("Id", "FirstName", "LastName", "Username", "NormalizedUsername", "OrganizationId", "PermissionGroupId",
                "SocialMessaging", "RestrictIncomingSocialMessaging", "MonitorCalls", "MonitorSms", "Language", "Status",
                "InvitationError", "CreatedAtUtc") FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var (id, a) in _accounts)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(id, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(a.FirstName, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(a.LastName, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(a.Username, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(a.Username.ToLowerInvariant(), NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(a.OrganizationId, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(a.PermissionGroupId, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(a.SocialMessaging, NpgsqlDbType.Boolean, cancellationToken);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
                await copy.WriteAsync((int)a.MonitorCalls, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync((int)a.MonitorSms, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync((int)a.Language, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync((int)a.Status, NpgsqlDbType.Integer, cancellationToken);
                await WriteNullableAsync(copy, a.InvitationError, cancellationToken);
                await copy.WriteAsync(DateTime.SpecifyKind(a.CreatedAtUtc, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY "Numbers" ("E164", "OrganizationId", "State", "ReservationTag", "AccountId") FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var n in _numbers)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(n.E164, NpgsqlDbType.Varchar, cancellationToken);
                await copy.WriteAsync(n.OrganizationId, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync((int)n.State, NpgsqlDbType.Integer, cancellationToken);
                await WriteNullableAsync(copy, n.ReservationTag, cancellationToken);
                if (n.AccountId is { } accountId)
                    await copy.WriteAsync((int)accountId, NpgsqlDbType.Integer, cancellationToken);
                else
                    await copy.WriteNullAsync(cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await transaction.DisposeAsync();

    private void ReserveIds()
    {
        using var command = new NpgsqlCommand(
            """SELECT nextval(pg_get_serial_sequence('"Accounts"', 'Id'))::integer FROM generate_series(1, $1)""", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = IdBlock });
        using var reader = command.ExecuteReader();
        while (reader.Read())
            _ids.Enqueue(reader.GetInt32(0));
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Varchar, cancellationToken);
}
