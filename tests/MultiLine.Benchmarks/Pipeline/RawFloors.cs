using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsvHelper;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Data.Sqlite;
using MimeKit;
using Npgsql;
using NpgsqlTypes;

namespace MultiLine.Benchmarks.Pipeline;

/// <summary>
/// The raw floors the pipeline is compared with: what the same work costs with the libraries alone and nothing of the
/// portal around them.
/// </summary>
public static class RawFloors
{
    /// <summary>CsvHelper reading every field of the same bytes.</summary>
    public static TimeSpan Parse(byte[] csv)
    {
        var watch = Stopwatch.StartNew();
        using var parser = new CsvParser(new StreamReader(new MemoryStream(csv), Encoding.UTF8), CultureInfo.InvariantCulture);
        var fields = 0;
        while (parser.Read())
            for (var i = 0; i < parser.Count; i++)
                fields += parser[i].Length > 0 ? 1 : 0;
        watch.Stop();
        if (fields == 0)
            throw new InvalidOperationException("The raw parse read nothing.");
        return watch.Elapsed;
    }

    private const string InsertColumns =
        "FirstName, LastName, Username, NormalizedUsername, OrganizationId, PermissionGroupId, SocialMessaging, RestrictIncomingSocialMessaging, " +
        "MonitorCalls, MonitorSms, ForwardingNumber, Language, Status, InvitationError, CreatedAtUtc";

    /// <summary>
    /// The accounts inserted with one prepared statement in one transaction, on a connection already open (as a pooled
    /// one is): Microsoft.Data.Sqlite with the app's pragmas, or Npgsql with the prepared insert sent
    /// <see cref="PostgresStatementsPerRoundTrip"/> rows per round trip (an <see cref="NpgsqlBatch"/>).
    /// </summary>
    public static Task<TimeSpan> InsertAsync(BenchEngine engine, BenchDatabase database, IReadOnlyList<BenchAccount> accounts, int organizationId, int groupId) =>
        engine is SqliteBenchEngine
            ? Task.FromResult(InsertSqlite(database, accounts, organizationId, groupId))
            : InsertPostgresAsync(database, accounts, organizationId, groupId);

    private static TimeSpan InsertSqlite(BenchDatabase database, IReadOnlyList<BenchAccount> accounts, int organizationId, int groupId)
    {
        using var connection = new SqliteConnection(database.ConnectionString.Replace("Pooling=True", "Pooling=False"));
        connection.Open();
        using (var pragmas = connection.CreateCommand())
        {
            pragmas.CommandText = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
            pragmas.ExecuteNonQuery();
        }
        var now = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        using var transaction = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO Accounts ({InsertColumns}) VALUES ($first, $last, $user, $norm, $org, $group, $social, 0, $calls, $sms, NULL, $lang, 0, NULL, $created)";
        var first = insert.Parameters.Add("$first", SqliteType.Text);
        var last = insert.Parameters.Add("$last", SqliteType.Text);
        var user = insert.Parameters.Add("$user", SqliteType.Text);
        var norm = insert.Parameters.Add("$norm", SqliteType.Text);
        insert.Parameters.AddWithValue("$org", organizationId);
        insert.Parameters.AddWithValue("$group", groupId);
        var social = insert.Parameters.Add("$social", SqliteType.Integer);
        var calls = insert.Parameters.Add("$calls", SqliteType.Integer);
        var sms = insert.Parameters.Add("$sms", SqliteType.Integer);
        var lang = insert.Parameters.Add("$lang", SqliteType.Integer);
        insert.Parameters.AddWithValue("$created", now);
        insert.Prepare();
        foreach (var a in accounts)
        {
            first.Value = a.FirstName;
            last.Value = a.LastName;
            user.Value = a.Username;
            norm.Value = a.Username.ToLowerInvariant();
            social.Value = a.SocialMessaging;
            calls.Value = (int)a.MonitorCalls;
            sms.Value = (int)a.MonitorSms;
            lang.Value = (int)a.Language;
            insert.ExecuteNonQuery();
        }
        transaction.Commit();
        watch.Stop();
        return watch.Elapsed;
    }

    /// <summary>Rows of prepared single-row inserts Npgsql sends together, so the floor is not one network round trip per row.</summary>
    public const int PostgresStatementsPerRoundTrip = 500;

    private static async Task<TimeSpan> InsertPostgresAsync(BenchDatabase database, IReadOnlyList<BenchAccount> accounts, int organizationId, int groupId)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        var now = DateTime.UtcNow;
        var sql = $"INSERT INTO \"Accounts\" ({string.Join(", ", InsertColumns.Split(", ").Select(c => $"\"{c}\""))}) " +
                  "VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, $8, $9, NULL, $10, 0, NULL, $11)";
        var watch = Stopwatch.StartNew();
        await using var transaction = await connection.BeginTransactionAsync();
        NpgsqlBatch? full = null;
        foreach (var chunk in accounts.Chunk(PostgresStatementsPerRoundTrip))
        {
            var batch = chunk.Length == PostgresStatementsPerRoundTrip && full is not null ? full : NewBatch(connection, transaction, sql, chunk.Length, organizationId, groupId, now);
            if (chunk.Length == PostgresStatementsPerRoundTrip && full is null)
            {
                full = batch;
                await full.PrepareAsync();
            }
            for (var i = 0; i < chunk.Length; i++)
            {
                var a = chunk[i];
                var p = batch.BatchCommands[i].Parameters;
                p[0].Value = a.FirstName;
                p[1].Value = a.LastName;
                p[2].Value = a.Username;
                p[3].Value = a.Username.ToLowerInvariant();
                p[6].Value = a.SocialMessaging;
                p[7].Value = (int)a.MonitorCalls;
                p[8].Value = (int)a.MonitorSms;
                p[9].Value = (int)a.Language;
            }
            await batch.ExecuteNonQueryAsync();
            if (batch != full)
                await batch.DisposeAsync();
        }
        await transaction.CommitAsync();
        watch.Stop();
        if (full is not null)
            await full.DisposeAsync();
        return watch.Elapsed;
    }

    private static NpgsqlBatch NewBatch(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, int rows, int organizationId, int groupId, DateTime now)
    {
        var batch = new NpgsqlBatch(connection, transaction);
        for (var i = 0; i < rows; i++)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = organizationId });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = groupId });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Boolean });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = now });
            batch.BatchCommands.Add(command);
        }
        return batch;
    }

    /// <summary>MailKit sending the same messages over one connection to the same server: connect, send each, quit.</summary>
    public static async Task<TimeSpan> SendAsync(IReadOnlyList<MimeMessage> messages, int port)
    {
        var watch = Stopwatch.StartNew();
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        foreach (var message in messages)
            await client.SendAsync(message);
        await client.DisconnectAsync(true);
        watch.Stop();
        return watch.Elapsed;
    }
}
