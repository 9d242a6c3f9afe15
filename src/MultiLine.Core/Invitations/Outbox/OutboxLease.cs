using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>
/// One sender's lease on the messages of one run. Claiming is a single conditional UPDATE that picks the oldest due rows
/// and re-checks, on each row it changes, "queued, due, and not leased by another live sender"; the run then reads back
/// the rows that carry its lease. So when two senders reach for the same rows, each row goes to one of them. A sender
/// that dies leaves its lease to run out, and another sender takes the messages after that. A long run renews its
/// lease at half time. The run's connections share one lease: its members are thread-safe, and each caller passes its
/// own context.
/// </summary>
internal sealed class OutboxLease
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _renewing = new(1, 1);
    private readonly string _senderId;
    private readonly TimeSpan _duration;
    private readonly TimeProvider _clock;
    private readonly HashSet<int> _open;
    private DateTime _untilUtc;
    private DateTime _renewAtUtc;

    private OutboxLease(IReadOnlyList<EmailMessage> messages, SmtpOptions settings, TimeProvider clock, DateTime claimedAtUtc)
    {
        Messages = messages;
        _senderId = settings.SenderId;
        _duration = settings.LeaseDuration;
        _clock = clock;
        _open = [.. messages.Select(m => m.Id)];
        _untilUtc = claimedAtUtc + _duration;
        _renewAtUtc = claimedAtUtc + _duration / 2;
    }

    /// <summary>The leased messages, oldest first.</summary>
    public IReadOnlyList<EmailMessage> Messages { get; }

    /// <summary>Leased messages without a result yet, in order.</summary>
    public IReadOnlyList<EmailMessage> Open
    {
        get
        {
            lock (_gate)
                return [.. Messages.Where(m => _open.Contains(m.Id))];
        }
    }

    /// <summary>Leases up to <see cref="SmtpOptions.BatchSize"/> due messages, oldest first.</summary>
    public static async Task<OutboxLease> ClaimAsync(MultiLineDbContext db, SmtpOptions settings, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var until = now + settings.LeaseDuration;
        var me = settings.SenderId;
        var oldest = Claimable(db, now, me).OrderBy(m => m.NextAttemptAtUtc).ThenBy(m => m.Id).Take(settings.BatchSize).Select(m => m.Id);
        // The sender's context sees every organization, so the rows are filtered on the table being updated: SQLite runs
        // the statement under its write lock, and PostgreSQL re-checks the condition on a row another sender changed
        // meanwhile. On PostgreSQL, FOR UPDATE SKIP LOCKED in the sub-select would let each sender pick other rows.
        var claimed = await Claimable(db, now, me).Where(m => oldest.Contains(m.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, me).SetProperty(m => m.ClaimExpiresAtUtc, until), cancellationToken);
        if (claimed == 0)
            return new OutboxLease([], settings, clock, now);
        var messages = await Leased(db, me, until).AsNoTracking()
            .OrderBy(m => m.NextAttemptAtUtc).ThenBy(m => m.Id)
            .Include(m => m.Attachments)
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        return new OutboxLease(messages, settings, clock, now);
    }

    /// <summary>
    /// Whether this sender still holds <paramref name="message"/> and it is still queued, asked right before it is sent;
    /// renews the lease first when half of it has passed. One connection renews while the others that need it wait, so
    /// none sends a message another sender took meanwhile. The message's row is then claimed once more with a
    /// conditional UPDATE: a message withdrawn (its account deleted, its import undone) or superseded since the run read
    /// it is not sent, and it leaves the run. On PostgreSQL the UPDATE waits for a withdrawal still in flight on the row;
    /// on SQLite it waits for the write lock, so it sees what such a transaction committed.
    /// </summary>
    public async Task<bool> HoldsAsync(MultiLineDbContext db, EmailMessage message, IDatabaseEngine engine, CancellationToken cancellationToken)
    {
        if (RenewalDue())
        {
            await _renewing.WaitAsync(cancellationToken);
            try
            {
                if (RenewalDue())
                    await RenewAsync(db, cancellationToken);
            }
            finally
            {
                _renewing.Release();
            }
        }
        lock (_gate)
        {
            if (!_open.Contains(message.Id))
                return false;
        }
        // A lock held past the busy timeout is waited out, as the results' write does: sent only once the claim is answered.
        if (await LockedDatabase.RetryAsync(engine, _clock, () => ClaimOneAsync(db, message.Id, cancellationToken), null, cancellationToken) == 1)
            return true;
        Close(message);
        return false;
    }

    // Plain SQL, like the result's write: one short statement per message, without the LINQ pipeline.
    private Task<int> ClaimOneAsync(MultiLineDbContext db, int messageId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"""
            UPDATE "EmailMessages" SET "ClaimedBy" = {_senderId}
            WHERE "Id" = {messageId} AND "State" = {(int)EmailState.Queued} AND "ClaimedBy" = {_senderId}
            """, cancellationToken);

    /// <summary>The message has its result: saving it releases its lease.</summary>
    public void Close(EmailMessage message)
    {
        lock (_gate)
            _open.Remove(message.Id);
    }

    /// <summary>
    /// Gives back the messages this run did not get to (it was stopped), so any sender may take them at once. Called
    /// once every connection of the run has stopped, so none of them is still sending one of these.
    /// </summary>
    public async Task ReleaseOpenAsync(MultiLineDbContext db)
    {
        List<int> open;
        DateTime until;
        lock (_gate)
        {
            if (_open.Count == 0)
                return;
            open = [.. _open];
            until = _untilUtc;
        }
        // Not cancellable: the run is usually ending because the host stops, and the release takes milliseconds.
        await Leased(db, _senderId, until).Where(m => open.Contains(m.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, (string?)null).SetProperty(m => m.ClaimExpiresAtUtc, (DateTime?)null), CancellationToken.None);
        lock (_gate)
            _open.Clear();
    }

    private bool RenewalDue()
    {
        lock (_gate)
            return _clock.GetUtcNow().UtcDateTime >= _renewAtUtc;
    }

    // Runs under _renewing, so the lease's end changes only here and one renewal at a time.
    private async Task RenewAsync(MultiLineDbContext db, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var until = now + _duration;
        DateTime current;
        lock (_gate)
            current = _untilUtc;
        await Leased(db, _senderId, current).ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimExpiresAtUtc, until), cancellationToken);
        lock (_gate)
        {
            _untilUtc = until;
            _renewAtUtc = now + _duration / 2;
        }
        // If the lease ran out before this renewal, another sender may have taken some messages: they are its to send now.
        var kept = await Leased(db, _senderId, until).Select(m => m.Id).ToListAsync(cancellationToken);
        lock (_gate)
            _open.IntersectWith(kept);
    }

    /// <summary>
    /// Due, and leased by no other live sender. This sender's own lease counts as free: its runs never overlap, and
    /// each run first saves the results that earlier runs could not save.
    /// </summary>
    private static IQueryable<EmailMessage> Claimable(MultiLineDbContext db, DateTime now, string me) =>
        db.Visible<EmailMessage>().Where(m => m.State == EmailState.Queued && m.NextAttemptAtUtc <= now
            && (m.ClaimedBy == null || m.ClaimExpiresAtUtc < now || m.ClaimedBy == me));

    /// <summary>Queued messages under this one lease.</summary>
    private static IQueryable<EmailMessage> Leased(MultiLineDbContext db, string me, DateTime until) =>
        db.Visible<EmailMessage>().Where(m => m.State == EmailState.Queued && m.ClaimedBy == me && m.ClaimExpiresAtUtc == until);
}
