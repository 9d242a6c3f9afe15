using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>One line of the Outbox page.</summary>
public sealed record OutboxRow(int Id, DateTime CreatedAtUtc, EmailKind Kind, string To, string Subject, EmailState State, int Attempts, string? LastError, string? PickupFile, string? Organization, int Attachments)
{
    public string StateLabel => EmailStates.Label(State, PickupFile is not null);
}

/// <summary>What the Outbox page asks for: a state, and text found in the recipient's address or the subject.</summary>
public sealed record OutboxFilter(EmailState? State = null, string? Text = null);

/// <summary>Counts of outbox emails by state.</summary>
public sealed record OutboxSummary(int Queued, int Sent, int Failed, int Superseded);

/// <summary>Reads the outbox for the Outbox page; the context's scope decides what is visible.</summary>
public static class OutboxDirectory
{
    public static async Task<Page<OutboxRow>> ListAsync(MultiLineDbContext db, OutboxFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var query = db.EmailMessages.AsNoTracking();
        if (filter.State is { } s)
            query = query.Where(m => m.State == s);
        if (TextSearch.ContainsPattern(filter.Text) is { } pattern)
            query = query.Where(m => EF.Functions.Like(m.ToAddress.ToLower(), pattern, TextSearch.Escape)
                || EF.Functions.Like(m.Subject.ToLower(), pattern, TextSearch.Escape));
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderByDescending(m => m.Id)
            .Skip(page.Skip).Take(page.Take)
            .Select(m => new OutboxRow(m.Id, m.CreatedAtUtc, m.Kind, m.ToAddress, m.Subject, m.State, m.Attempts, m.LastError, m.PickupFile,
                m.Organization != null ? m.Organization.Name : null, m.Attachments.Count))
            .ToListAsync(cancellationToken);
        return new Page<OutboxRow>(items, total);
    }

    public static async Task<OutboxSummary> SummarizeAsync(MultiLineDbContext db, CancellationToken cancellationToken = default)
    {
        var counts = await db.EmailMessages.GroupBy(m => m.State).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        return new OutboxSummary(counts.GetValueOrDefault(EmailState.Queued), counts.GetValueOrDefault(EmailState.Sent), counts.GetValueOrDefault(EmailState.Failed), counts.GetValueOrDefault(EmailState.Superseded));
    }

    /// <summary>The message as an .eml file (built from the stored row), or null when it is not in scope.</summary>
    public static async Task<byte[]?> EmlAsync(MultiLineDbContext db, int id, SmtpOptions options, Activity.ActivityActor actor, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        var message = await db.EmailMessages.AsNoTracking().Include(m => m.Attachments).FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
        if (message is null)
            return null;
        // A downloaded email may carry an activation link: who took it is recorded, once per download.
        Activity.ActivityLog.Record(db, actor, nowUtc, Activity.ActivityActions.OutboxMessageDownload, message.OrganizationId,
            message.AccountId is not null ? Activity.ActivityTargetKind.Account : Activity.ActivityTargetKind.None,
            message.AccountId?.ToString(System.Globalization.CultureInfo.InvariantCulture), message.ToAddress, $"outbox-{id}.eml: {message.Subject}");
        await db.SaveChangesAsync(cancellationToken);
        using var stream = new MemoryStream();
        await OutboxMime.Build(message, options).WriteToAsync(stream, cancellationToken);
        return stream.ToArray();
    }
}
