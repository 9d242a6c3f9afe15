using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Tests;
using MultiLine.Persistence.Sqlite;

namespace MultiLine.Benchmarks;

/// <summary>
/// Target: 1,000 invitations to a loopback SMTP server in at most 2 s. <see cref="Deliver1000QueuedInvitations"/> is the
/// outbox sender's runs over <see cref="Connections"/> MailKit connections per run (SQLite claim, MIME build, SMTP send,
/// state saved);
/// <see cref="Queue1000Invitations"/> is the issuer writing invitations and emails for 1,000 accounts in one transaction.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class InvitationDeliveryBenchmark : IDbContextFactory<MultiLineDbContext>
{
    private const int Count = 1_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("multiline-bench-").FullName;
    private DbContextOptions<MultiLineDbContext> _options = default!;
    private TestSmtpServer _smtp = default!;
    private OutboxSender _sender = default!;
    private InvitationIssuer _issuer = default!;
    private int _organizationId;

    /// <summary>SMTP connections a run delivers over in parallel (<c>Smtp:Connections</c>).</summary>
    [Params(1, 4)]
    public int Connections { get; set; }

    public MultiLineDbContext CreateDbContext() => new MultiLineDbContext(_options).WithScope(AdminScope.System);

    [GlobalSetup]
    public void Setup()
    {
        _options = new DbContextOptionsBuilder<MultiLineDbContext>().UseMultiLineSqlite($"Data Source={Path.Combine(_folder, "bench.db")}").Options;
        using (var db = CreateDbContext())
        {
            db.Database.Migrate();
            var organization = new Organization { Name = "Bench" };
            db.Organizations.Add(organization);
            db.SaveChanges();
            organization.Path = Organization.PathFor(null, organization.Id);
            var group = new PermissionGroup { Organization = organization, Name = "Standard", IsDefault = true };
            db.PermissionGroups.Add(group);
            db.SaveChanges();
            _organizationId = organization.Id;
            for (var i = 0; i < Count; i++)
            {
                var account = new Account
                {
                    Username = $"user{i}@bench.example", NormalizedUsername = $"user{i}@bench.example", FirstName = "Ava", LastName = $"Rossi {i}",
                    OrganizationId = organization.Id, PermissionGroupId = group.Id, Language = (Language)(i % 5),
                };
                db.Accounts.Add(account);
                db.Numbers.Add(new MultiLineNumber { E164 = $"+1212{i:D7}", OrganizationId = organization.Id, State = NumberState.Assigned, Account = account });
            }
            db.SaveChanges();
        }

        _smtp = TestSmtpServer.StartAsync().GetAwaiter().GetResult();
        var smtp = new SmtpOptions { Host = "127.0.0.1", Port = _smtp.Port, TlsMode = SmtpTlsMode.None, Connections = Connections };
        var signal = new OutboxSignal();
        _sender = new OutboxSender(new SystemDbContextFactory(this), SqliteEngine.Instance, new EmailTransportFactory(Options.Create(smtp), new OutboxLocation(_folder), TimeProvider.System), signal,
            Options.Create(smtp), TimeProvider.System, NullLogger<OutboxSender>.Instance);
        var invitations = Options.Create(new InvitationOptions { PublicBaseUrl = "https://portal.example/" });
        _issuer = new InvitationIssuer(invitations, new ConfiguredPortalLinks(invitations), TimeProvider.System, signal);
    }

    [IterationSetup(Target = nameof(Deliver1000QueuedInvitations))]
    public void QueueForDelivery()
    {
        Reset();
        Queue1000Invitations().GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(Queue1000Invitations))]
    public void Reset()
    {
        using var db = CreateDbContext();
        db.Invitations.ExecuteDelete();
        db.EmailMessages.ExecuteDelete();
        db.Accounts.ExecuteUpdate(s => s.SetProperty(a => a.Status, AccountStatus.NotInvited));
    }

    [Benchmark]
    public async Task Queue1000Invitations()
    {
        await using var db = CreateDbContext();
        foreach (var account in await db.Accounts.Where(a => a.OrganizationId == _organizationId).ToListAsync())
        {
            var outcome = await _issuer.QueueAsync(db, account);
            if (!outcome.Succeeded)
                throw new InvalidOperationException(outcome.Reason);
        }
        await db.SaveChangesAsync();
    }

    [Benchmark]
    public async Task Deliver1000QueuedInvitations()
    {
        var delivered = 0;
        int run;
        while ((run = await _sender.DeliverDueAsync()) > 0)
            delivered += run;
        if (delivered != Count)
            throw new InvalidOperationException($"Delivered {delivered} of {Count}.");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _smtp.DisposeAsync().AsTask().GetAwaiter().GetResult();
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
