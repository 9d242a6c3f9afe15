using MultiLine.Core.Persistence;

namespace MultiLine.Core.Activity;

/// <summary>
/// Records an <see cref="ActivityEntry"/> into the context that makes the change, unsaved: the caller's save commits
/// both, so the record cannot exist without the change nor the change without its record.
/// </summary>
public static class ActivityLog
{
    public static ActivityEntry Record(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, string action, int? organizationId,
        ActivityTargetKind targetKind, string? targetId, string? targetName, string? details)
    {
        var entry = new ActivityEntry
        {
            AtUtc = nowUtc,
            AdminId = actor.AdminId,
            AdminName = Cut(actor.AdminName, 200)!,
            OrganizationId = organizationId,
            Action = action,
            TargetKind = targetKind,
            TargetId = targetId,
            TargetName = Cut(targetName, ActivityEntry.MaxNameLength),
            Details = Cut(details, ActivityEntry.MaxDetailsLength),
            ClientIp = Cut(actor.ClientIp, 64),
            Source = actor.Source,
        };
        db.ActivityEntries.Add(entry);
        return entry;
    }

    /// <summary>A submitted batch: the batch is the target (saved first, so it has its id), the details say what it will do.</summary>
    public static ActivityEntry RecordBatch(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, string action, Batches.BatchOperation batch, string details) =>
        Record(db, actor, nowUtc, action, batch.OrganizationId, ActivityTargetKind.Batch, batch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            batch.FileName ?? $"{Batches.BatchStates.Label(batch.Kind)} #{batch.Id}", details);

    private static string? Cut(string? text, int length) => text is { } t && t.Length > length ? string.Concat(t.AsSpan(0, length - 1), "…") : text;
}
