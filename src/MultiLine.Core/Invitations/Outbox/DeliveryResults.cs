using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>
/// Saves each delivery result before its connection sends another message, releasing the message's lease in the same
/// write; a failed invitation marks its account Invitation failed in the same transaction. The results of a run's
/// connections are group-committed: a connection whose result arrives while another connection is writing waits for
/// the next write, which saves every result that arrived meanwhile in one transaction, so N connections cost one
/// writer, not N writers queuing for SQLite's one write lock. Each connection still waits for its own result to be
/// saved, so a crash re-sends at most the message in flight on each connection.
/// "Database is locked" (another writer held SQLite longer than the busy timeout) is retried with backoff until the
/// write succeeds or the host stops. A result still unsaved then is kept here and saved before the next run leases
/// anything, so it never causes a second send from this process.
/// </summary>
internal sealed class DeliveryResults(IDatabaseEngine engine, TimeProvider clock, ILogger logger)
{
    private readonly ConcurrentDictionary<int, EmailMessage> _unsaved = [];
    private readonly Lock _gate = new();
    private List<(EmailMessage Message, TaskCompletionSource Saved)> _waiting = [];
    private bool _writing;

    /// <summary>
    /// Saves one result; returns once it is saved. <paramref name="db"/> belongs to the calling connection alone; when no
    /// other connection is writing, the caller writes its result and those that arrive meanwhile through it.
    /// </summary>
    public async Task SaveAsync(MultiLineDbContext db, EmailMessage message, CancellationToken stoppingToken)
    {
        _unsaved[message.Id] = message;
        var saved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool write;
        lock (_gate)
        {
            _waiting.Add((message, saved));
            write = !_writing;
            _writing = true;
        }
        if (write)
            await WriteWaitingAsync(db, stoppingToken);
        await saved.Task;
    }

    /// <summary>Saves the results an earlier run could not save (runs of one sender never overlap).</summary>
    public async Task SaveEarlierAsync(MultiLineDbContext db, CancellationToken stoppingToken)
    {
        foreach (var message in _unsaved.Values.OrderBy(m => m.Id).ToList())
            await SaveAsync(db, message, stoppingToken);
    }

    /// <summary>Writes the waiting results, a group per transaction, until none is waiting.</summary>
    private async Task WriteWaitingAsync(MultiLineDbContext db, CancellationToken stoppingToken)
    {
        while (true)
        {
            List<(EmailMessage Message, TaskCompletionSource Saved)> group;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }
                (group, _waiting) = (_waiting, []);
            }
            try
            {
                await WriteUntilSavedAsync(db, group.ConvertAll(g => g.Message), stoppingToken);
                foreach (var (message, saved) in group)
                {
                    _unsaved.TryRemove(message.Id, out _);
                    saved.SetResult();
                }
            }
            catch (Exception e)
            {
                // Kept in _unsaved for the next run; each waiting connection sees why.
                foreach (var (_, saved) in group)
                    saved.TrySetException(e);
            }
        }
    }

    private Task WriteUntilSavedAsync(MultiLineDbContext db, List<EmailMessage> messages, CancellationToken stoppingToken) =>
        LockedDatabase.RetryAsync(engine, clock, async () =>
        {
            await WriteAsync(db, messages);
            return true;
        }, delay => logger.LogWarning("Outbox: the database is locked; saving the results of {Count} message(s) again in {Delay} ms.", messages.Count, delay.TotalMilliseconds),
        stoppingToken);

    // Never cancelled: a result that is known is saved even while the host stops. An account that becomes Invitation
    // failed raises invitation.failed in the same transaction (InvitationFailure), so the event exists exactly when the
    // failure does.
    private async Task WriteAsync(MultiLineDbContext db, List<EmailMessage> messages)
    {
        // A write retried after "database is locked" starts clean, so the events of its first try are not added twice.
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var events = 0;
        foreach (var message in messages)
        {
            // Only a message still queued takes its result: one withdrawn (its account deleted, its import undone) or
            // superseded while it was being sent keeps that state, and its account is not touched.
            if (await WriteMessageAsync(db, message) == 1 && message is { State: EmailState.Failed, Kind: EmailKind.Invitation, AccountId: { } accountId })
                events += await InvitationFailure.MarkUndeliveredAsync(db, accountId, message.LastError!, clock.GetUtcNow().UtcDateTime, CancellationToken.None);
        }
        if (events > 0)
            await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    // Plain SQL rather than ExecuteUpdate, which runs the LINQ pipeline for every message: about 0.5 ms against 0.15 ms
    // a message on a busy 2-core machine. The parameters still go through EF's type mappings.
    private static Task<int> WriteMessageAsync(MultiLineDbContext db, EmailMessage message) =>
        db.Database.ExecuteSqlAsync($"""
            UPDATE "EmailMessages" SET "State" = {(int)message.State}, "Attempts" = {message.Attempts}, "LastError" = {message.LastError},
                "SentAtUtc" = {message.SentAtUtc}, "PickupFile" = {message.PickupFile}, "NextAttemptAtUtc" = {message.NextAttemptAtUtc},
                "ClaimedBy" = NULL, "ClaimExpiresAtUtc" = NULL
            WHERE "Id" = {message.Id} AND "State" = {(int)EmailState.Queued}
            """, CancellationToken.None);
}
