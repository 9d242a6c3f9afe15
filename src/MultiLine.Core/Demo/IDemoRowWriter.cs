using MultiLine.Core.Accounts;
using MultiLine.Core.Numbers;

namespace MultiLine.Core.Demo;

/// <summary>One demo account, as the bulk writer stores it.</summary>
public sealed record DemoAccountRow(
    string FirstName, string LastName, string Username, int OrganizationId, int PermissionGroupId, bool SocialMessaging,
    MonitorCalls MonitorCalls, MonitorSms MonitorSms, Language Language, AccountStatus Status, string? InvitationError, DateTime CreatedAtUtc);

/// <summary>One demo number, held by an account or not.</summary>
public sealed record DemoNumberRow(string E164, int OrganizationId, NumberState State, string? ReservationTag, long? AccountId);

/// <summary>
/// Writes the demo's hundreds of thousands of rows the fastest way the engine has (prepared statements on SQLite),
/// all in one transaction that <see cref="CommitAsync"/> ends.
/// </summary>
public interface IDemoRowWriter : IAsyncDisposable
{
    /// <summary>Stores the account and returns its id.</summary>
    long AddAccount(DemoAccountRow account);

    void AddNumber(DemoNumberRow number);

    Task CommitAsync(CancellationToken cancellationToken = default);
}
