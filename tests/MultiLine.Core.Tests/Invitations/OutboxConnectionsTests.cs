using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Tests;

namespace MultiLine.Core.Tests.Invitations;

/// <summary>
/// One run delivering over several SMTP connections at once (<c>Smtp:Connections</c>): each leased message is sent
/// once, over whichever connection takes it, and its result is saved; a connection that breaks stops alone.
/// </summary>
public sealed class OutboxConnectionsTests : IDisposable
{
    private readonly InvitationWorld _world = new(availableNumbers: 0);

    [Fact]
    public async Task FourConnectionsDeliverEachOf200InvitationsExactlyOnceOverSeveralSessionsAtOnce()
    {
        TestSmtpServer? server = null;
        await using var smtp = server = await TestSmtpServer.StartAsync(received: async (_, count) =>
        {
            // The first message's reply waits (at most 3 s, within the client's 5 s timeout) for a second connection, so
            // that parallel delivery shows however the threads happen to be scheduled; over one connection the run
            // only takes 3 s longer.
            if (count == 1)
                await server!.WaitForConcurrentSessionsAsync(2, TimeSpan.FromSeconds(3));
        });
        _world.Smtp.Port = smtp.Port;
        _world.Smtp.Connections = 4;
        var recipients = Recipients(200);
        await _world.InviteNewAccountsAsync(recipients);

        Assert.Equal(200, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));

        var received = smtp.Messages.GroupBy(To).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(recipients.Order(), received.Keys.Order());
        Assert.All(received, r => Assert.Equal(1, r.Value));
        Assert.InRange(smtp.PeakSessions, 2, 4);
        await using (var db = _world.Db())
        {
            Assert.All(await db.EmailMessages.ToListAsync(TestContext.Current.CancellationToken), m =>
            {
                Assert.Equal(EmailState.Sent, m.State);
                Assert.Equal(1, m.Attempts);
                Assert.Null(m.ClaimedBy);
            });
        }
        Assert.Equal(0, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));
        Assert.Equal(200, smtp.Messages.Count);
    }

    [Fact]
    public async Task AConnectionTheServerKeepsDroppingStopsAloneAndTheOthersDeliverTheRestOfTheRun()
    {
        const string broken = "user007@acme.example";
        await using var smtp = await TestSmtpServer.StartAsync(dropRecipient: address => address == broken);
        _world.Smtp.Port = smtp.Port;
        _world.Smtp.Connections = 4;
        var recipients = Recipients(40);
        await _world.InviteNewAccountsAsync(recipients);

        Assert.Equal(40, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));

        // Tried on one connection with its retries, handed to a second that gave up on it too (unless the others had
        // finished by then), and left for a later run; the other connections delivered everything else.
        var tries = _world.Smtp.RetryAttempts + 1;
        Assert.InRange(smtp.Dropped.Count, tries, 2 * tries);
        Assert.Equal(recipients.Where(r => r != broken).Order(), smtp.Messages.Select(To).Order());
        await using var db = _world.Db();
        var messages = await db.EmailMessages.ToListAsync(TestContext.Current.CancellationToken);
        Assert.All(messages.Where(m => m.ToAddress != broken), m =>
        {
            Assert.Equal(EmailState.Sent, m.State);
            Assert.Equal(1, m.Attempts);
            Assert.Null(m.ClaimedBy);
        });
        var waiting = messages.Single(m => m.ToAddress == broken);
        Assert.Equal(EmailState.Queued, waiting.State);
        Assert.Equal(1, waiting.Attempts);
        Assert.StartsWith("Could not reach the mail server 127.0.0.1:", waiting.LastError);
        Assert.Null(waiting.ClaimedBy);
    }

    [Fact]
    public async Task AServerThatTakesFewerConnectionsThanConfiguredGetsEveryMessageOverTheOnesItTakes()
    {
        TestSmtpServer? server = null;
        await using var smtp = server = await TestSmtpServer.StartAsync(maxSessions: 2, received: async (_, count) =>
        {
            // The first reply waits (at most 3 s) until a third connection has come, however the threads are scheduled.
            if (count == 1)
                await server!.WaitForConcurrentSessionsAsync(3, TimeSpan.FromSeconds(3));
        });
        _world.Smtp.Port = smtp.Port;
        _world.Smtp.Connections = 4;
        var recipients = Recipients(60);
        await _world.InviteNewAccountsAsync(recipients);

        Assert.Equal(60, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));

        // The connections over the limit heard 421 (retried, then given up): their messages went over the other two.
        Assert.True(smtp.RefusedSessions > 0, "No connection went over the server's limit.");
        Assert.Equal(recipients.Order(), smtp.Messages.Select(To).Order());
        await using var db = _world.Db();
        Assert.All(await db.EmailMessages.ToListAsync(TestContext.Current.CancellationToken), m =>
        {
            Assert.Equal(EmailState.Sent, m.State);
            Assert.Equal(1, m.Attempts);
            Assert.Null(m.ClaimedBy);
        });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public async Task AConnectionCountOutsideOneTo32StopsTheHostAtStart(int connections)
    {
        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => OutboxHost.StartAsync(_world, "host-a", smtpPort: 25, batchSize: 10, connections));

        Assert.Contains("Connections", refused.Message);
    }

    private static List<string> Recipients(int count) => [.. Enumerable.Range(0, count).Select(i => $"user{i:D3}@acme.example")];

    private static string To(MimeMessage message) => message.To.Mailboxes.Single().Address;

    public void Dispose() => _world.Dispose();
}
