using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>
/// "Any Reserved number with tag X": what <c>tag:PORTED</c> in the multiline_number column (or the single-account form)
/// asks for. The check counts, per tag, the Reserved numbers nobody holds that the organization may use (its own and its
/// ancestors'); the worker takes them per tag in one conditional statement for the group, like named numbers, so two
/// batches never get the same number. The account holds the number Assigned, its tag cleared.
/// </summary>
public static class ReservedTagNumbers
{
    public const string Prefix = "tag:";

    /// <summary>Whether a multiline_number value asks for a tag rather than names a number.</summary>
    public static bool IsTag(string? value) => value is not null && value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads <c>tag:PORTED</c> (any case, spaces around the tag ignored); false when the value is not a tag request.</summary>
    public static bool TryRead(string? value, out string? tag, out string? error)
    {
        tag = null;
        error = null;
        if (!IsTag(value))
            return false;
        if (NumberRules.TryNormalizeTag(value![Prefix.Length..], out tag, out error))
            return true;
        error = $"\"{value}\": {error} Write tag: and the tag, such as tag:PORTED.";
        return true;
    }

    /// <summary>The value kept for a tag request: <c>tag:PORTED</c>.</summary>
    public static string Write(string tag) => Prefix + tag;

    /// <summary>Why a row asking for a tag gets no number, in the admin's words.</summary>
    public static string NoneLeft(string tag, int asking, int left) =>
        $"no Reserved number with tag {tag} is left ({Common.Words.Count(asking, "row asks", "rows ask")} for it, {left:N0} {(left == 1 ? "is" : "are")} left).";

    /// <summary>The single-account form's words when no number with the tag is left.</summary>
    public static string NoneLeftFor(string tag, string organization) => $"No Reserved number with tag {tag} is left for {organization}.";

    /// <summary>How many Reserved numbers nobody holds carry each tag, among the owners' numbers (one query).</summary>
    public static async Task<Dictionary<string, int>> CountLeftAsync(MultiLineDbContext db, IReadOnlyCollection<string> tags, IReadOnlyCollection<int> ownerIds,
        CancellationToken cancellationToken = default)
    {
        if (tags.Count == 0)
            return new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = await db.Visible<MultiLineNumber>().AsNoTracking()
            .Where(n => ownerIds.Contains(n.OrganizationId) && n.State == NumberState.Reserved && n.AccountId == null && tags.Contains(n.ReservationTag!))
            .GroupBy(n => n.ReservationTag!)
            .Select(g => new { Tag = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Tag, x => x.Count, StringComparer.Ordinal, cancellationToken);
        foreach (var tag in tags)
            counts.TryAdd(tag, 0);
        return counts;
    }

    /// <summary>
    /// For rows asking for tags, in row order, the message of each row that cannot be served: the first rows of a tag take
    /// the numbers left, the rest are refused. Keyed by the row's position in <paramref name="rows"/>.
    /// </summary>
    public static async Task<Dictionary<int, string>> ShortfallsAsync(MultiLineDbContext db, IReadOnlyList<string> rows, IReadOnlyCollection<int> ownerIds,
        CancellationToken cancellationToken = default)
    {
        var refused = new Dictionary<int, string>();
        if (rows.Count == 0)
            return refused;
        var asking = rows.GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var left = await CountLeftAsync(db, asking.Keys, ownerIds, cancellationToken);
        var served = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            var tag = rows[i];
            var n = served[tag] = served.GetValueOrDefault(tag) + 1;
            if (n > left[tag])
                refused[i] = NoneLeft(tag, asking[tag], left[tag]);
        }
        return refused;
    }

    /// <summary>
    /// Gives each account a Reserved number with the tag it asks for, set-based: per tag, picks that many free numbers
    /// (lowest first) and takes them with one conditional statement; numbers another transaction took meanwhile are
    /// replaced by the next ones while any are left. Returns the number each served account now holds.
    /// </summary>
    public static async Task<Dictionary<int, string>> TakeAsync(MultiLineDbContext db, IReadOnlyList<(string Tag, int AccountId)> wanted, IReadOnlyCollection<int> ownerIds,
        CancellationToken cancellationToken = default)
    {
        var held = new Dictionary<int, string>();
        foreach (var group in wanted.GroupBy(w => w.Tag, StringComparer.Ordinal))
        {
            var tag = group.Key;
            var waiting = new Queue<int>(group.Select(w => w.AccountId));
            var skipped = new HashSet<string>(StringComparer.Ordinal);
            while (waiting.Count > 0)
            {
                var candidates = await db.Visible<MultiLineNumber>().AsNoTracking()
                    .Where(n => ownerIds.Contains(n.OrganizationId) && n.State == NumberState.Reserved && n.AccountId == null && n.ReservationTag == tag)
                    .OrderBy(n => n.E164).Select(n => n.E164).Take(waiting.Count + skipped.Count).ToListAsync(cancellationToken);
                var fresh = candidates.Where(c => !skipped.Contains(c)).Take(waiting.Count).ToList();
                if (fresh.Count == 0)
                    break;
                var pairs = fresh.Select(e164 => (e164, waiting.Dequeue())).ToList();
                var taken = await NumberRules.TakeManyAsync(db, pairs, ownerIds, cancellationToken, reservedTag: tag);
                foreach (var (e164, accountId) in pairs)
                {
                    if (taken.Contains(e164))
                        held[accountId] = e164;
                    else
                    {
                        // Lost to another transaction: the account waits for the next number.
                        skipped.Add(e164);
                        waiting.Enqueue(accountId);
                    }
                }
            }
        }
        return held;
    }
}
