using Microsoft.Data.Sqlite;
using MultiLine.Core.Demo;

namespace MultiLine.Persistence.Sqlite;

/// <summary>Two prepared statements reused for every row, in one transaction: 200,000 demo accounts in seconds.</summary>
internal sealed class SqliteDemoRowWriter : IDemoRowWriter
{
    private readonly SqliteTransaction _transaction;
    private readonly SqliteCommand _insertAccount;
    private readonly SqliteCommand _insertNumber;
    private readonly Dictionary<string, SqliteParameter> _account;
    private readonly Dictionary<string, SqliteParameter> _number;

    public SqliteDemoRowWriter(SqliteConnection connection, SqliteTransaction transaction)
    {
        _transaction = transaction;
        _insertAccount = connection.CreateCommand();
        _insertAccount.Transaction = transaction;
        _insertAccount.CommandText = """
            INSERT INTO Accounts (FirstName, LastName, Username, NormalizedUsername, OrganizationId, PermissionGroupId, SocialMessaging,
                RestrictIncomingSocialMessaging, MonitorCalls, MonitorSms, ForwardingNumber, Language, Status, InvitationError, CreatedAtUtc)
            VALUES ($first, $last, $user, $norm, $org, $group, $social, 0, $calls, $sms, NULL, $lang, $status, $error, $created);
            SELECT last_insert_rowid();
            """;
        _account = Parameters(_insertAccount, "$first", "$last", "$user", "$norm", "$org", "$group", "$social", "$calls", "$sms", "$lang", "$status", "$error", "$created");

        _insertNumber = connection.CreateCommand();
        _insertNumber.Transaction = transaction;
        _insertNumber.CommandText = "INSERT INTO Numbers (E164, OrganizationId, State, ReservationTag, AccountId) VALUES ($e164, $org, $state, $tag, $account);";
        _number = Parameters(_insertNumber, "$e164", "$org", "$state", "$tag", "$account");
    }

    public long AddAccount(DemoAccountRow account)
    {
        _account["$first"].Value = account.FirstName;
        _account["$last"].Value = account.LastName;
        _account["$user"].Value = account.Username;
        _account["$norm"].Value = account.Username.ToLowerInvariant();
        _account["$org"].Value = account.OrganizationId;
        _account["$group"].Value = account.PermissionGroupId;
        _account["$social"].Value = account.SocialMessaging;
        _account["$calls"].Value = (int)account.MonitorCalls;
        _account["$sms"].Value = (int)account.MonitorSms;
        _account["$lang"].Value = (int)account.Language;
        _account["$status"].Value = (int)account.Status;
        _account["$error"].Value = (object?)account.InvitationError ?? DBNull.Value;
        _account["$created"].Value = account.CreatedAtUtc;
        return (long)_insertAccount.ExecuteScalar()!;
    }

    public void AddNumber(DemoNumberRow number)
    {
        _number["$e164"].Value = number.E164;
        _number["$org"].Value = number.OrganizationId;
        _number["$state"].Value = (int)number.State;
        _number["$tag"].Value = (object?)number.ReservationTag ?? DBNull.Value;
        _number["$account"].Value = (object?)number.AccountId ?? DBNull.Value;
        _insertNumber.ExecuteNonQuery();
    }

    public Task CommitAsync(CancellationToken cancellationToken = default) => _transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _insertAccount.DisposeAsync();
        await _insertNumber.DisposeAsync();
        await _transaction.DisposeAsync();
    }

    private static Dictionary<string, SqliteParameter> Parameters(SqliteCommand command, params string[] names) =>
        names.ToDictionary(name => name, name => command.Parameters.Add(new SqliteParameter(name, null)));
}
