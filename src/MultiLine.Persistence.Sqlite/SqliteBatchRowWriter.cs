using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;

namespace MultiLine.Persistence.Sqlite;

/// <summary>A batch's rows, every column, through one prepared INSERT reused for every row, in the context's transaction.</summary>
internal static class SqliteBatchRowWriter
{
    private static readonly string[] Columns =
    [
        "BatchOperationId", "RowNumber", "FirstName", "LastName", "Username", "NormalizedUsername", "MultiLineNumber", "SocialMessaging",
        "RestrictIncomingSocialMessaging", "MonitorCalls", "MonitorSms", "ForwardingNumber", "Language", "TargetAccountId", "Outcome",
        "Reason", "AccountId", "Number", "Invitation", "InvitationId", "ProcessedAtUtc", "PermissionGroupId", "UpdateFields",
    ];

    public static Task InsertAsync(MultiLineDbContext db, int batchId, IEnumerable<BatchRow> rows, CancellationToken cancellationToken)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() as SqliteTransaction
            ?? throw new InvalidOperationException("Batch rows are stored inside the transaction that stores their batch.");
        var text = $"""
            INSERT INTO "BatchRows" ({string.Join(", ", Columns.Select(c => $"\"{c}\""))})
            VALUES ({string.Join(", ", Columns.Select(c => "$" + c))})
            """;
        // Bound by position: Microsoft.Data.Sqlite would look each of the 21 names up again for every row.
        using var insert = SqlitePositionalStatement.Prepare(transaction, text, [.. Columns.Select(c => "$" + c)]);
        var values = new object?[Columns.Length];
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            values[0] = batchId;
            values[1] = row.RowNumber;
            values[2] = row.FirstName;
            values[3] = row.LastName;
            values[4] = row.Username;
            values[5] = row.NormalizedUsername;
            values[6] = row.MultiLineNumber;
            values[7] = row.SocialMessaging;
            values[8] = row.RestrictIncomingSocialMessaging;
            values[9] = (int)row.MonitorCalls;
            values[10] = (int)row.MonitorSms;
            values[11] = row.ForwardingNumber;
            values[12] = (int)row.Language;
            values[13] = row.TargetAccountId;
            values[14] = (int)row.Outcome;
            values[15] = row.Reason;
            values[16] = row.AccountId;
            values[17] = row.Number;
            values[18] = row.Invitation is { } invitation ? (int)invitation : null;
            values[19] = row.InvitationId;
            values[20] = row.ProcessedAtUtc;
            values[21] = row.PermissionGroupId;
            values[22] = (int)row.UpdateFields;
            insert.Execute(values);
        }
        return Task.CompletedTask;
    }
}
