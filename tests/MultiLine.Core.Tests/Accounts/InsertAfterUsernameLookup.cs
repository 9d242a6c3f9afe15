using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Tests.Accounts;

/// <summary>
/// Plays another transaction that commits <paramref name="username"/> between a unit of work's username lookup and its
/// insert: right after the first query that reads usernames, it inserts the account on the same connection.
/// </summary>
internal sealed class InsertAfterUsernameLookup(string username, int organizationId, int groupId) : DbCommandInterceptor
{
    public bool Inserted { get; private set; }

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        var text = command.CommandText;
        if (Inserted || !text.StartsWith("SELECT", StringComparison.Ordinal) || !text.Contains("FROM \"Accounts\"", StringComparison.Ordinal)
            || !text.Contains("\"NormalizedUsername\"", StringComparison.Ordinal))
            return result;
        Inserted = true;
        // SQLite: the same connection, inside the unit of work's transaction (another connection would only meet its
        // write lock). PostgreSQL: another connection, committed at once, as another admin's request would be.
        var sqlite = command.Connection is Microsoft.Data.Sqlite.SqliteConnection;
        await using var other = sqlite ? null : new Npgsql.NpgsqlConnection(command.Connection!.ConnectionString);
        if (other is not null)
            await other.OpenAsync(cancellationToken);
        await using var insert = (other ?? command.Connection!).CreateCommand();
        insert.Transaction = sqlite ? command.Transaction : null;
        insert.CommandText = """
            INSERT INTO "Accounts" ("Username", "NormalizedUsername", "OrganizationId", "PermissionGroupId", "Status", "SocialMessaging",
                "RestrictIncomingSocialMessaging", "MonitorCalls", "MonitorSms", "Language", "CreatedAtUtc")
            VALUES (@username, @username, @org, @group, 0, FALSE, FALSE, 0, 0, 0, '2026-01-01 00:00:00+00')
            """;
        Add(insert, "username", username);
        Add(insert, "org", organizationId);
        Add(insert, "group", groupId);
        await insert.ExecuteNonQueryAsync(cancellationToken);
        return result;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>A context factory whose contexts carry this interceptor, for services that take a <see cref="SystemDbContextFactory"/>.</summary>
    public SystemDbContextFactory Around(TestDatabase database) => new(new Factory(
        new DbContextOptionsBuilder<MultiLineDbContext>(database.Options).AddInterceptors(this).Options));

    private sealed class Factory(DbContextOptions<MultiLineDbContext> options) : IDbContextFactory<MultiLineDbContext>
    {
        public MultiLineDbContext CreateDbContext() => new(options);
    }
}
