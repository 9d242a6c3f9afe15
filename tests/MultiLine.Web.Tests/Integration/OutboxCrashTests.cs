using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

/// <summary>The portal process killed in the middle of delivering invitations, then started again on the same database.</summary>
public sealed class OutboxCrashTests : IDisposable
{
    private const int Invitations = 400;
    private readonly string _folder = Directory.CreateTempSubdirectory("multiline-crash-").FullName;
    private readonly EngineDatabase _database;

    public OutboxCrashTests() => _database = EngineDatabase.Create(_folder, migrate: false);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task APortalKilledMidDeliveryAndRestartedSendsEveryInvitationAndAtMostTheOneInFlightPerConnectionTwice(int connections)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "Stopping the restarted portal uses SIGTERM.");
        var recipients = await QueueInvitationsAsync();
        PortalProcess? first = null;
        await using var smtp = await TestSmtpServer.StartAsync(received: (_, count) =>
        {
            // Killed while this message waits for the server's reply: it is sent, but its result is not saved. So may be
            // the message each other connection had on its way.
            if (count == 100)
                first!.Kill();
            return Task.CompletedTask;
        });
        var settings = new Dictionary<string, string>(_database.Settings!)
        {
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(),
            ["Smtp:TlsMode"] = "None",
            ["Smtp:LeaseDuration"] = "00:00:03",
            ["Smtp:PollInterval"] = "00:00:00.200",
            ["Smtp:Connections"] = connections.ToString(),
            ["Invitations:PublicBaseUrl"] = "https://portal.test/",
        };

        using (first = PortalProcess.Start(settings))
            await first.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.InRange(smtp.Messages.Count, 100, 100 + connections - 1);

        using (var restarted = PortalProcess.Start(settings))
        {
            await smtp.WaitUntilAsync(received => received.Select(To).Distinct().Count() == Invitations, TimeSpan.FromSeconds(90));
            await restarted.StopAsync(TimeSpan.FromSeconds(30));
        }

        var received = smtp.Messages.GroupBy(To).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(recipients.Order(), received.Keys.Order());
        Assert.InRange(received.Values.Sum() - Invitations, 0, connections);
        await using var db = Open();
        Assert.Equal(Invitations, await db.EmailMessages.CountAsync(m => m.State == EmailState.Sent, TestContext.Current.CancellationToken));
    }

    /// <summary>A migrated database with one organization and <see cref="Invitations"/> queued invitations.</summary>
    private async Task<List<string>> QueueInvitationsAsync()
    {
        await using var db = Open();
        await db.Database.MigrateAsync(TestContext.Current.CancellationToken);
        var organization = new Organization { Name = "Acme" };
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        organization.Path = Organization.PathFor(null, organization.Id);
        var group = new PermissionGroup { Organization = organization, Name = "Standard", IsDefault = true };
        var invitations = Options.Create(new InvitationOptions { PublicBaseUrl = "https://portal.test/" });
        var issuer = new InvitationIssuer(invitations, new ConfiguredPortalLinks(invitations), TimeProvider.System, new OutboxSignal());
        var recipients = Enumerable.Range(0, Invitations).Select(i => $"user{i:D3}@acme.example").ToList();
        foreach (var (username, i) in recipients.Select((u, i) => (u, i)))
        {
            var account = new Account
            {
                Username = username, NormalizedUsername = username, FirstName = "Ava", LastName = "Rossi", Organization = organization,
                PermissionGroup = group, Status = AccountStatus.NotInvited, CreatedAtUtc = DateTime.UtcNow,
            };
            db.Numbers.Add(new MultiLineNumber { E164 = $"+1212{i:D7}", Organization = organization, State = NumberState.Assigned, Account = account });
            var outcome = await issuer.QueueAsync(db, account, new InvitationQueueing(CapacityCovered: true, NewAccount: true), TestContext.Current.CancellationToken);
            Assert.True(outcome.Succeeded, outcome.Reason);
        }
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return recipients;
    }

    private MultiLineDbContext Open() => new MultiLineDbContext(_database.Options()).WithScope(AdminScope.System);

    private static string To(MimeMessage message) => message.To.Mailboxes.Single().Address;

    public void Dispose()
    {
        _database.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
