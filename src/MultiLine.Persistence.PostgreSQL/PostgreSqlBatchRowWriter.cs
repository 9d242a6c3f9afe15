using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;
using Npgsql;
using NpgsqlTypes;

namespace MultiLine.Persistence.PostgreSQL;

/// <summary>A batch's rows, every column, through one binary <c>COPY</c>, on the context's connection and inside its transaction.</summary>
internal static class PostgreSqlBatchRowWriter
{
    public static async Task InsertAsync(MultiLineDbContext db, int batchId, IEnumerable<BatchRow> rows, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Batch rows are stored inside the transaction that stores their batch.");
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY "BatchRows" ("BatchOperationId", "RowNumber", "FirstName", "LastName", "Username", "NormalizedUsername", "MultiLineNumber",
                "SocialMessaging", "RestrictIncomingSocialMessaging", "MonitorCalls", "MonitorSms", "ForwardingNumber", "Language",
                "TargetAccountId", "Outcome", "Reason", "AccountId", "Number", "Invitation", "InvitationId", "ProcessedAtUtc",
                "PermissionGroupId", "UpdateFields")
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(batchId, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync(row.RowNumber, NpgsqlDbType.Integer, cancellationToken);
            await TextAsync(copy, row.FirstName, cancellationToken);
            await TextAsync(copy, row.LastName, cancellationToken);
            await TextAsync(copy, row.Username, cancellationToken);
            await TextAsync(copy, row.NormalizedUsername, cancellationToken);
            await TextAsync(copy, row.MultiLineNumber, cancellationToken);
            await copy.WriteAsync(row.SocialMessaging, NpgsqlDbType.Boolean, cancellationToken);
            await copy.WriteAsync(row.RestrictIncomingSocialMessaging, NpgsqlDbType.Boolean, cancellationToken);
            await copy.WriteAsync((int)row.MonitorCalls, NpgsqlDbType.Integer, cancellationToken);
            await copy.WriteAsync((int)row.MonitorSms, NpgsqlDbType.Integer, cancellationToken);
            await TextAsync(copy, row.ForwardingNumber, cancellationToken);
            await copy.WriteAsync((int)row.Language, NpgsqlDbType.Integer, cancellationToken);
            await IntegerAsync(copy, row.TargetAccountId, cancellationToken);
            await copy.WriteAsync((int)row.Outcome, NpgsqlDbType.Integer, cancellationToken);
            await TextAsync(copy, row.Reason, cancellationToken);
            await IntegerAsync(copy, row.AccountId, cancellationToken);
            await TextAsync(copy, row.Number, cancellationToken);
            await IntegerAsync(copy, row.Invitation is { } invitation ? (int)invitation : null, cancellationToken);
            await IntegerAsync(copy, row.InvitationId, cancellationToken);
            if (row.ProcessedAtUtc is { } processed)
                await copy.WriteAsync(DateTime.SpecifyKind(processed, DateTimeKind.Utc), NpgsqlDbType.TimestampTz, cancellationToken);
            else
                await copy.WriteNullAsync(cancellationToken);
            await IntegerAsync(copy, row.PermissionGroupId, cancellationToken);
            await copy.WriteAsync((int)row.UpdateFields, NpgsqlDbType.Integer, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    private static Task TextAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken) =>
        value is null ? copy.WriteNullAsync(cancellationToken) : copy.WriteAsync(value, NpgsqlDbType.Varchar, cancellationToken);

    private static Task IntegerAsync(NpgsqlBinaryImporter copy, int? value, CancellationToken cancellationToken) =>
        value is { } number ? copy.WriteAsync(number, NpgsqlDbType.Integer, cancellationToken) : copy.WriteNullAsync(cancellationToken);
}
