using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>
/// One sender's lease on the messages of one run. Claiming is a single conditional UPDATE that picks the oldest due rows
/// and re-checks, on each row it changes, "queued, due, and not leased by another live sender"; the run then reads back
/// the rows that carry its lease. So when two senders reach for the same rows, each row goes to one of them. A sender
/// that dies leaves its lease to run out, and another sender takes the messages after that. A long run renews its
/// lease at half time.
/// </summary>
internal sealed class OutboxLease
{
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
    public IEnumerable<EmailMessage> Open => Messages.Where(m => _open.Contains(m.Id));

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

    /// <summary>Whether this sender still holds <paramref name="message"/>; renews the lease first when half of it has passed.</summary>
    public async Task<bool> HoldsAsync(MultiLineDbContext db, EmailMessage message, CancellationToken cancellationToken)
    {
        if (_clock.GetUtcNow().UtcDateTime >= _renewAtUtc)
            await RenewAsync(db, cancellationToken);
        return _open.Contains(message.Id);
    }

    /// <summary>The message has its result: saving it releases its lease.</summary>
    public void Close(EmailMessage message) => _open.Remove(message.Id);

    /// <summary>Gives back the messages this run did not get to (it was stopped), so any sender may take them at once.</summary>
    public async Task ReleaseOpenAsync(MultiLineDbContext db)
    {
        if (_open.Count == 0)
            return;
        var open = _open.ToList();
        // Not cancellable: the run is usually ending because the host stops, and the release takes milliseconds.
        await Leased(db, _senderId, _untilUtc).Where(m => open.Contains(m.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimedBy, (string?)null).SetProperty(m => m.ClaimExpiresAtUtc, (DateTime?)null), CancellationToken.None);
        _open.Clear();
    }

    private async Task RenewAsync(MultiLineDbContext db, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var until = now + _duration;
        await Leased(db, _senderId, _untilUtc).ExecuteUpdateAsync(s => s.SetProperty(m => m.ClaimExpiresAtUtc, until), cancellationToken);
        _untilUtc = until;
        _renewAtUtc = now + _duration / 2;
        // If the lease ran out before this renewal, another sender may have taken some messages: they are its to send now.
        var kept = await Leased(db, _senderId, until).Select(m => m.Id).ToListAsync(cancellationToken);
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
