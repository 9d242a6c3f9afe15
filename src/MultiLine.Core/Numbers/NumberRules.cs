using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>
/// Which numbers an account may take, and how a number changes hands: written once, as query expressions the database
/// evaluates and as the admin's words for a refusal. Used by the CSV check, the import worker, the single-account form
/// and activation alike.
/// </summary>
public static class NumberRules
{
    /// <summary>
    /// Numbers an account of an organization may take: allocated to that organization or one of its ancestors
    /// (<paramref name="ownerIds"/>), held by no one, and Available — or also Reserved when an admin hands it out
    /// (<paramref name="byAdmin"/>; a CSV row may not).
    /// </summary>
    public static Expression<Func<MultiLineNumber, bool>> TakableBy(IReadOnlyCollection<int> ownerIds, bool byAdmin) => byAdmin
        ? n => ownerIds.Contains(n.OrganizationId) && n.AccountId == null && (n.State == NumberState.Available || n.State == NumberState.Reserved)
        : n => ownerIds.Contains(n.OrganizationId) && n.AccountId == null && n.State == NumberState.Available;

    /// <summary>The organization's own Available numbers: what free capacity counts and what activation offers.</summary>
    public static Expression<Func<MultiLineNumber, bool>> FreeIn(int organizationId) =>
        n => n.OrganizationId == organizationId && n.State == NumberState.Available && n.AccountId == null;

    /// <summary>
    /// Gives <paramref name="e164"/> to the account with a conditional update, so a number is never held twice whatever
    /// runs beside it. Returns false when the number is not (or no longer) takable.
    /// </summary>
    public static async Task<bool> TakeAsync(MultiLineDbContext db, string e164, IReadOnlyCollection<int> ownerIds, int accountId, bool byAdmin, CancellationToken cancellationToken = default)
    {
        var taken = await db.Numbers
            .Where(n => n.E164 == e164)
            .Where(TakableBy(ownerIds, byAdmin))
            .ExecuteUpdateAsync(s => s
                .SetProperty(n => n.State, NumberState.Assigned)
                .SetProperty(n => n.AccountId, accountId)
                .SetProperty(n => n.ReservationTag, (string?)null), cancellationToken);
        return taken == 1;
    }

    /// <summary>
    /// Gives each number of <paramref name="wanted"/> to its account in one conditional statement for the whole group
    /// (not one round trip per row), then reads back which ones this group now holds. As with <see cref="TakeAsync"/>,
    /// only Available numbers of the owners nobody holds are taken, so a number is never held twice whatever runs beside
    /// it; one named twice goes to its first account only. Returns the numbers taken.
    /// </summary>
    /// <remarks>With <paramref name="reservedTag"/>, takes only Reserved numbers with that tag instead (<see cref="ReservedTagNumbers"/>).</remarks>
    public static async Task<HashSet<string>> TakeManyAsync(MultiLineDbContext db, IReadOnlyList<(string E164, int AccountId)> wanted,
        IReadOnlyCollection<int> ownerIds, CancellationToken cancellationToken = default, string? reservedTag = null)
    {
        var first = wanted.DistinctBy(w => w.E164, StringComparer.Ordinal).ToList();
        if (first.Count == 0 || ownerIds.Count == 0)
            return [];
        // Plain SQL both engines read the same way: EF's ExecuteUpdate cannot set a different value per row.
        var values = new List<object>(first.Count * 3 + ownerIds.Count + 1) { (int)NumberState.Assigned };
        var cases = new System.Text.StringBuilder();
        foreach (var (e164, accountId) in first)
        {
            cases.Append(" WHEN {").Append(values.Count).Append("} THEN {").Append(values.Count + 1).Append('}');
            values.Add(e164);
            values.Add(accountId);
        }
        var numbers = string.Join(", ", first.Select((_, i) => $"{{{1 + 2 * i}}}"));
        var owners = string.Join(", ", ownerIds.Select((id, i) => { values.Add(id); return $"{{{values.Count - 1}}}"; }));
        values.Add((int)(reservedTag is null ? NumberState.Available : NumberState.Reserved));
        var available = $"{{{values.Count - 1}}}";
        if (reservedTag is not null)
        {
            values.Add(reservedTag);
            available += $" AND \"ReservationTag\" = {{{values.Count - 1}}}";
        }
        // Only placeholders are spliced in; every value goes as a parameter.
        var sql = $$"""
            UPDATE "Numbers" SET "State" = {0}, "ReservationTag" = NULL, "AccountId" = CASE "E164"{{cases}} END
            WHERE "E164" IN ({{numbers}}) AND "AccountId" IS NULL AND "State" = {{available}} AND "OrganizationId" IN ({{owners}})
            """;
        await db.Database.ExecuteSqlRawAsync(sql, values, cancellationToken);

        var accounts = first.Select(w => w.AccountId).ToList();
        var e164s = first.Select(w => w.E164).ToList();
        var held = await db.Visible<MultiLineNumber>().AsNoTracking()
            .Where(n => e164s.Contains(n.E164) && n.AccountId != null && accounts.Contains(n.AccountId.Value))
            .Select(n => new { n.E164, n.AccountId })
            .ToListAsync(cancellationToken);
        var expected = first.ToDictionary(w => w.E164, w => w.AccountId, StringComparer.Ordinal);
        return held.Where(h => expected[h.E164] == h.AccountId).Select(h => h.E164).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Why a number named for an account of an organization cannot be taken, in the admin's words; null when it can.
    /// <paramref name="ownedByTarget"/>: the number belongs to the organization or one of its ancestors.
    /// </summary>
    public static string? Refusal(string shown, NumberState state, string? reservationTag, bool ownedByTarget, bool byAdmin) =>
        !ownedByTarget ? $"{shown} is allocated to another organization."
        : state is NumberState.Assigned or NumberState.Registered ? $"{shown} is already assigned to another account."
        : state == NumberState.Reserved && !byAdmin
            ? $"{shown} is reserved{(reservationTag is { } tag ? $" ({tag})" : "")}; only an admin can hand out a reserved number, from the single-account form."
        : null;

    /// <summary>An admin named a number the account cannot take (the single-account form, an edit).</summary>
    public static string NotTakable(string e164, string organization) => $"{e164} is not an available or reserved number of {organization}.";

    /// <summary>A reservation tag such as PORTED: required, upper-cased, at most 40 characters.</summary>
    public static bool TryNormalizeTag(string? tag, out string? normalized, out string? error)
    {
        normalized = tag?.Trim().ToUpperInvariant();
        error = string.IsNullOrEmpty(normalized) ? "A reservation needs a tag, such as PORTED."
            : normalized.Length > 40 ? "A reservation tag has at most 40 characters."
            : null;
        return error is null;
    }

    public static string Describe(NumberState state) => state switch
    {
        NumberState.Available => "available",
        NumberState.Reserved => "reserved",
        NumberState.Assigned => "assigned to an account",
        NumberState.Registered => "registered to an active account",
        _ => state.ToString(),
    };
}

public sealed record NumberChange(bool Succeeded, string? Error)
{
    public static readonly NumberChange Done = new(true, null);
    public static NumberChange Refused(string error) => new(false, error);
}
