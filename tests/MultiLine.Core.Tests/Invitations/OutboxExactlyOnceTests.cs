using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Tests;

namespace MultiLine.Core.Tests.Invitations;

/// <summary>
/// At least once, close to exactly once: senders sharing a database, a sender that died, a run stopped midway and a
/// locked database never make the outbox send a message twice, except the one message in flight on each connection at
/// a crash. Tests about a run's connections take one connection (the bounds of a single connection) and four.
/// </summary>
public sealed class OutboxExactlyOnceTests : IDisposable
{
    private readonly InvitationWorld _world = new(availableNumbers: 0);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task TwoSendersSharingTheDatabaseDeliverEveryMessageExactlyOnce(int connections)
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        var recipients = Recipients(300);
        await using (var first = await OutboxHost.StartAsync(_world, "host-a", smtp.Port, batchSize: 20, connections))
        await using (var second = await OutboxHost.StartAsync(_world, "host-b", smtp.Port, batchSize: 20, connections))
        {
            // Queued once both hosts poll, so that both deliver from the start.
            await _world.InviteNewAccountsAsync(recipients);
            await smtp.WaitUntilAsync(received => received.Select(m => m.MessageId).Distinct().Count() == recipients.Count);
            // The server has the last message before its sender has read the reply and saved the result: stopping now
            // would leave that one in flight (legitimately sent again later), so wait for the results too.
            for (var i = 0; i < 100; i++)
            {
                await using var poll = _world.Db();
                if (!await poll.EmailMessages.AnyAsync(m => m.State == EmailState.Queued, TestContext.Current.CancellationToken))
                    break;
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal(recipients.Order(), smtp.Messages.Select(To).Order());
        await using var db = _world.Db();
        Assert.All(await db.EmailMessages.ToListAsync(TestContext.Current.CancellationToken), m =>
        {
            Assert.Equal(EmailState.Sent, m.State);
            Assert.Equal(1, m.Attempts);
            Assert.Null(m.ClaimedBy);
        });
    }

    [Fact]
    public async Task MessagesLeasedByASenderThatDiedAreTakenByAnotherOnceTheLeaseEnds()
    {
        await using var smtp = await TestSmtpServer.StartAsync();
        _world.Smtp.Port = smtp.Port;
        var recipients = Recipients(20);
        await _world.InviteNewAccountsAsync(recipients);
        // What a sender killed in the middle of a run leaves behind: its lease on the messages it had not sent.
        await using (var db = _world.Db())
        {
            var until = _world.Clock.Now.UtcDateTime + _world.Smtp.LeaseDuration;
            await db.EmailMessages.ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, "dead-host").SetProperty(m => m.ClaimExpiresAtUtc, until), TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));
        Assert.Empty(smtp.Messages);

        _world.Clock.Now += _world.Smtp.LeaseDuration + TimeSpan.FromSeconds(1);
        Assert.Equal(20, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));
        Assert.Equal(recipients.Order(), smtp.Messages.Select(To).Order());
        await using var after = _world.Db();
        Assert.Equal(20, await after.EmailMessages.CountAsync(m => m.State == EmailState.Sent && m.ClaimedBy == null, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task ALongRunRenewsItsLeaseSoAnotherSenderDoesNotTakeItsMessages(int connections)
    {
        await using var otherSmtp = await TestSmtpServer.StartAsync();
        var other = _world.CreateSender(InvitationWorld.SmtpFor("other-host", otherSmtp.Port));
        // Each message takes 50 s of the test clock over one connection (the lease is 2 min), 50 s / connections over
        // several, so the run takes 500 s either way; meanwhile the other sender looks for work.
        var step = TimeSpan.FromSeconds(50) / connections;
        await using var smtp = await TestSmtpServer.StartAsync(received: async (_, _) =>
        {
            _world.Clock.Advance(step);
            await other.DeliverDueAsync(TestContext.Current.CancellationToken);
        });
        _world.Smtp.Port = smtp.Port;
        _world.Smtp.Connections = connections;
        var recipients = Recipients(10 * connections);
        await _world.InviteNewAccountsAsync(recipients);

        Assert.Equal(recipients.Count, await _world.Sender.DeliverDueAsync(TestContext.Current.CancellationToken));

        Assert.Equal(recipients.Order(), smtp.Messages.Select(To).Order());
        Assert.Empty(otherSmtp.Messages);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task ARunStoppedMidwayHasSavedWhatItSentSoARestartSendsOnlyTheRest(int connections)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var smtp = await TestSmtpServer.StartAsync(received: async (_, count) =>
        {
            if (count == 30)
                await stop.CancelAsync();
        });
        _world.Smtp.Port = smtp.Port;
        _world.Smtp.Connections = connections;
        var recipients = Recipients(50);
        await _world.InviteNewAccountsAsync(recipients);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _world.Sender.DeliverDueAsync(stop.Token));

        // The 30th message stopped the run; each other connection may have had one more message on its way then.
        var receivedBeforeStop = smtp.Messages.Select(To).ToHashSet();
        Assert.InRange(receivedBeforeStop.Count, 30, 30 + connections - 1);
        await using (var db = _world.Db())
        {
            // Everything the server took is saved as Sent, except at most the message in flight on each connection
            // when the run stopped.
            var saved = (await db.EmailMessages.Where(m => m.State == EmailState.Sent).Select(m => m.ToAddress).ToListAsync(TestContext.Current.CancellationToken)).ToHashSet();
            Assert.Subset(receivedBeforeStop, saved);
            Assert.InRange(saved.Count, receivedBeforeStop.Count - connections, receivedBeforeStop.Count);
        }

        var restarted = _world.CreateSender(InvitationWorld.SmtpFor("restarted-host", smtp.Port));
        await restarted.DeliverDueAsync(TestContext.Current.CancellationToken);

        var received = CountByRecipient(smtp);
        Assert.Equal(recipients.Order(), received.Keys.Order());
        Assert.InRange(received.Values.Sum() - recipients.Count, 0, connections);
    }

    [Fact, Trait("Engine", "Sqlite")] // SQLite's whole-database write lock; PostgreSQL locks rows and waits.
    public async Task AResultTheLockedDatabaseRefusesIsSavedOnceTheLockIsGoneAndNothingIsSentTwice()
    {
        Task? lockReleased = null;
        await using var smtp = await TestSmtpServer.StartAsync(received: async (_, count) =>
        {
            if (count == 1)
                lockReleased = ReleaseLaterAsync(await WriteLock.TakeAsync(_world.Database.FilePath), TimeSpan.FromSeconds(2.5));
        });
        var sender = _world.CreateSender(InvitationWorld.SmtpFor("patient-host", smtp.Port), _world.Database.SystemWithLockTimeout(seconds: 1));
        var recipients = Recipients(3);
        await _world.InviteNewAccountsAsync(recipients);

        Assert.Equal(3, await sender.DeliverDueAsync(TestContext.Current.CancellationToken));

        // The first result could only be saved after the other writer let go; the run waited for it instead of failing.
        Assert.True(lockReleased!.IsCompletedSuccessfully);
        Assert.Equal(0, await sender.DeliverDueAsync(TestContext.Current.CancellationToken));
        Assert.Equal(recipients.Order(), smtp.Messages.Select(To).Order());
        await using var db = _world.Db();
        Assert.Equal(3, await db.EmailMessages.CountAsync(m => m.State == EmailState.Sent && m.ClaimedBy == null, TestContext.Current.CancellationToken));
    }

    [Theory, Trait("Engine", "Sqlite")] // SQLite's whole-database write lock; PostgreSQL locks rows and waits.
    [InlineData(1)]
    [InlineData(4)]
    public async Task AResultStillUnsavedWhenTheRunStoppedIsSavedByTheNextRunAndNotSentAgain(int connections)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        WriteLock? writeLock = null;
        var locked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var smtp = await TestSmtpServer.StartAsync(received: async (_, count) =>
        {
            if (count != 1)
            {
                // Sent over another connection meanwhile: its result too meets the lock.
                await locked.Task;
                return;
            }
            writeLock = await WriteLock.TakeAsync(_world.Database.FilePath);
            locked.SetResult();
            stop.CancelAfter(TimeSpan.FromSeconds(2));
        });
        var settings = InvitationWorld.SmtpFor("stopping-host", smtp.Port);
        settings.Connections = connections;
        var sender = _world.CreateSender(settings, _world.Database.SystemWithLockTimeout(seconds: 1));
        var recipients = Recipients(3);
        await _world.InviteNewAccountsAsync(recipients);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sender.DeliverDueAsync(stop.Token));
        await writeLock!.DisposeAsync();
        await using (var db = _world.Db())
            Assert.Equal(3, await db.EmailMessages.CountAsync(m => m.State == EmailState.Queued, TestContext.Current.CancellationToken));

        // One connection had sent only the first message and gave the other two back; several had sent all three, so the
        // next run saves their results first and then finds nothing left to send.
        Assert.Equal(connections == 1 ? 2 : 0, await sender.DeliverDueAsync(TestContext.Current.CancellationToken));

        Assert.Equal(recipients.Order(), smtp.Messages.Select(To).Order());
        await using var after = _world.Db();
        Assert.Equal(3, await after.EmailMessages.CountAsync(m => m.State == EmailState.Sent && m.ClaimedBy == null, TestContext.Current.CancellationToken));
    }

    private static async Task ReleaseLaterAsync(WriteLock writeLock, TimeSpan after)
    {
        await Task.Delay(after);
        await writeLock.DisposeAsync();
    }

    /// <summary>SQLite's write lock, taken by another connection (another writer) until disposed.</summary>
    private sealed class WriteLock(SqliteConnection connection) : IAsyncDisposable
    {
        public static async Task<WriteLock> TakeAsync(string file)
        {
            var connection = new SqliteConnection($"Data Source={file};Pooling=False");
            await connection.OpenAsync();
            await using var begin = connection.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync();
            return new WriteLock(connection);
        }

        public async ValueTask DisposeAsync()
        {
            await using (var rollback = connection.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK;";
                await rollback.ExecuteNonQueryAsync();
            }
            await connection.DisposeAsync();
        }
    }

    private static List<string> Recipients(int count) => [.. Enumerable.Range(0, count).Select(i => $"user{i:D3}@acme.example")];

    private static string To(MimeMessage message) => message.To.Mailboxes.Single().Address;

    private static Dictionary<string, int> CountByRecipient(TestSmtpServer smtp) =>
        smtp.Messages.GroupBy(To).ToDictionary(g => g.Key, g => g.Count());

    public void Dispose() => _world.Dispose();
}
