using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Tests.Invitations;

/// <summary>A test clock that moves only when told to; safe to read and move from several threads (connections) at once.</summary>
public sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = now;

    public DateTimeOffset Now
    {
        get { lock (_gate) return _now; }
        set { lock (_gate) _now = value; }
    }

    /// <summary>Moves the clock on by <paramref name="by"/> in one step, even while other threads move it too.</summary>
    public void Advance(TimeSpan by)
    {
        lock (_gate)
            _now += by;
    }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// One organization with numbers on a real migrated SQLite file, and the invitation services wired as the app wires
/// them, delivering to whatever <see cref="Smtp"/> points at. Runs of the sender are started by the test.
/// </summary>
public sealed class InvitationWorld : IDisposable
{
    public InvitationWorld(int availableNumbers = 10, params string[] allowedDomains)
    {
        var links = new ConfiguredPortalLinks(Options.Create(Invitation));
        Issuer = new InvitationIssuer(Options.Create(Invitation), links, Clock, Signal);
        Notifications = new NotificationComposer(Clock, Issuer);
        Activation = new AccountActivation(Database.System, Clock);
        Pickup = Path.Combine(Database.Folder, "outbox");
        Sender = CreateSender(Smtp);

        using var db = Database.CreateDbContext();
        var organization = new Organization { Name = "Acme", AllowedEmailDomains = [.. allowedDomains] };
        db.Organizations.Add(organization);
        db.SaveChanges();
        organization.Path = Organization.PathFor(null, organization.Id);
        var group = new PermissionGroup { Organization = organization, Name = "Standard", IsDefault = true };
        db.PermissionGroups.Add(group);
        db.Numbers.AddRange(Enumerable.Range(0, availableNumbers).Select(i => new MultiLineNumber { E164 = $"+1212555{i:D4}", OrganizationId = organization.Id, State = NumberState.Available }));
        db.SaveChanges();
        OrganizationId = organization.Id;
        GroupId = group.Id;
    }

    public TestDatabase Database { get; } = new();
    public TestClock Clock { get; } = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    public InvitationOptions Invitation { get; } = new() { PublicBaseUrl = "https://portal.test/" };
    public SmtpOptions Smtp { get; } = SmtpFor("test-sender");
    public OutboxSignal Signal { get; } = new();
    public InvitationIssuer Issuer { get; }
    public NotificationComposer Notifications { get; }
    public AccountActivation Activation { get; }
    public OutboxSender Sender { get; }
    public string Pickup { get; }
    public int OrganizationId { get; }
    public int GroupId { get; }

    public MultiLineDbContext Db() => Database.CreateDbContext();

    /// <summary>Quick test settings for a sender named <paramref name="senderId"/>, delivering to 127.0.0.1:<paramref name="port"/>.</summary>
    public static SmtpOptions SmtpFor(string senderId, int port = 25) => new()
    {
        Host = "127.0.0.1", Port = port, TlsMode = SmtpTlsMode.None, RetryAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxDeliveryRuns = 3, RequeueDelay = TimeSpan.Zero, TimeoutMilliseconds = 5_000, SenderId = senderId,
    };

    /// <summary>Another sender on this database, as a second host or a restarted process would have.</summary>
    public OutboxSender CreateSender(SmtpOptions smtp, SystemDbContextFactory? contexts = null) =>
        new(contexts ?? Database.System, Database.Engine.DatabaseEngine, new EmailTransportFactory(Options.Create(smtp), new OutboxLocation(Pickup), Clock), Signal, Options.Create(smtp), Clock, NullLogger<OutboxSender>.Instance);

    public async Task<Account> AddAccountAsync(string username, Language language = Language.English, bool withNumber = false, string first = "Ava", string last = "Rossi")
    {
        await using var db = Db();
        var account = new Account
        {
            Username = username, NormalizedUsername = username.ToLowerInvariant(), FirstName = first, LastName = last, Language = language,
            OrganizationId = OrganizationId, PermissionGroupId = GroupId, Status = AccountStatus.NotInvited, CreatedAtUtc = Clock.Now.UtcDateTime,
        };
        db.Accounts.Add(account);
        if (withNumber)
        {
            var number = db.Numbers.OrderBy(n => n.E164).First(n => n.State == NumberState.Available);
            number.Account = account;
            number.State = NumberState.Assigned;
        }
        await db.SaveChangesAsync();
        return account;
    }

    /// <summary>Queues an invitation the way a caller does: load, queue, save in one go.</summary>
    public async Task<InvitationOutcome> InviteAsync(int accountId)
    {
        await using var db = Db();
        var account = await db.Accounts.FindAsync(accountId);
        var outcome = await Issuer.QueueAsync(db, account!);
        await db.SaveChangesAsync();
        return outcome;
    }

    /// <summary>New accounts, each holding a new number, invited in one save as an import group does.</summary>
    public async Task InviteNewAccountsAsync(IEnumerable<string> usernames)
    {
        await using var db = Db();
        var numbers = await db.Numbers.CountAsync();
        foreach (var username in usernames)
        {
            var account = new Account
            {
                Username = username, NormalizedUsername = username.ToLowerInvariant(), FirstName = "Ava", LastName = "Rossi", Language = Language.English,
                OrganizationId = OrganizationId, PermissionGroupId = GroupId, Status = AccountStatus.NotInvited, CreatedAtUtc = Clock.Now.UtcDateTime,
            };
            db.Numbers.Add(new MultiLineNumber { E164 = $"+1313{numbers++:D7}", OrganizationId = OrganizationId, State = NumberState.Assigned, Account = account });
            var outcome = await Issuer.QueueAsync(db, account, new InvitationQueueing(CapacityCovered: true, NewAccount: true));
            if (!outcome.Succeeded)
                throw new InvalidOperationException(outcome.Reason);
        }
        await db.SaveChangesAsync();
    }

    public async Task<Account> ReloadAsync(int accountId)
    {
        await using var db = Db();
        return (await db.Accounts.FindAsync(accountId))!;
    }

    public static string TokenOf(InvitationOutcome outcome) => outcome.ActivationLink![(outcome.ActivationLink!.LastIndexOf('/') + 1)..];

    public void Dispose() => Database.Dispose();
}
