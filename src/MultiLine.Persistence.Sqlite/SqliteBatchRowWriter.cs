using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;

namespace MultiLine.Persistence.Sqlite;

/// <summary>A batch's rows through one prepared INSERT reused for every row, in the context's transaction.</summary>
internal static class SqliteBatchRowWriter
{
    private static readonly string[] Columns =
    [
        "BatchOperationId", "RowNumber", "FirstName", "LastName", "Username", "NormalizedUsername", "MultiLineNumber", "SocialMessaging",
        "RestrictIncomingSocialMessaging", "MonitorCalls", "MonitorSms", "ForwardingNumber", "Language", "TargetAccountId", "Outcome",
        "Reason", "AccountId", "Number", "Invitation", "InvitationId", "ProcessedAtUtc",
    ];

    public static async Task InsertAsync(MultiLineDbContext db, int batchId, IEnumerable<BatchRow> rows, CancellationToken cancellationToken)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() as SqliteTransaction
            ?? throw new InvalidOperationException("Batch rows are stored inside the transaction that stores their batch.");
        await using var insert = transaction.Connection!.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"""
            INSERT INTO "BatchRows" ({string.Join(", ", Columns.Select(c => $"\"{c}\""))})
            VALUES ({string.Join(", ", Columns.Select(c => "$" + c))})
            """;
        var p = Columns.ToDictionary(c => c, c => insert.Parameters.Add(new SqliteParameter("$" + c, null)));
        insert.Prepare();
        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            p["BatchOperationId"].Value = batchId;
            p["RowNumber"].Value = row.RowNumber;
            p["FirstName"].Value = (object?)row.FirstName ?? DBNull.Value;
            p["LastName"].Value = (object?)row.LastName ?? DBNull.Value;
            p["Username"].Value = (object?)row.Username ?? DBNull.Value;
            p["NormalizedUsername"].Value = (object?)row.NormalizedUsername ?? DBNull.Value;
            p["MultiLineNumber"].Value = (object?)row.MultiLineNumber ?? DBNull.Value;
            p["SocialMessaging"].Value = row.SocialMessaging;
            p["RestrictIncomingSocialMessaging"].Value = row.RestrictIncomingSocialMessaging;
            p["MonitorCalls"].Value = (int)row.MonitorCalls;
            p["MonitorSms"].Value = (int)row.MonitorSms;
            p["ForwardingNumber"].Value = (object?)row.ForwardingNumber ?? DBNull.Value;
            p["Language"].Value = (int)row.Language;
            p["TargetAccountId"].Value = (object?)row.TargetAccountId ?? DBNull.Value;
            p["Outcome"].Value = (int)row.Outcome;
            p["Reason"].Value = (object?)row.Reason ?? DBNull.Value;
            p["AccountId"].Value = (object?)row.AccountId ?? DBNull.Value;
            p["Number"].Value = (object?)row.Number ?? DBNull.Value;
            p["Invitation"].Value = row.Invitation is { } invitation ? (int)invitation : DBNull.Value;
            p["InvitationId"].Value = (object?)row.InvitationId ?? DBNull.Value;
            p["ProcessedAtUtc"].Value = (object?)row.ProcessedAtUtc ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
