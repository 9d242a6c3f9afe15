using MultiLine.Core.Activity;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>Counts of an organization's numbers by state, and its free capacity.</summary>
public sealed record NumberSummary(int Available, int Reserved, int Assigned, int Registered, FreeCapacity Capacity)
{
    public int Total => Available + Reserved + Assigned + Registered;
}

/// <summary>One line of the numbers list.</summary>
public sealed record NumberRow(int Id, string E164, NumberState State, string? ReservationTag, int? AccountId, string? Holder);

/// <summary>The Numbers page's reads and changes. Writes refuse with a message rather than throw.</summary>
public static class NumberInventory
{
    public const int MaxRangeSize = 10_000;

    public static async Task<NumberSummary> SummarizeAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var counts = await db.Numbers
            .Where(n => n.OrganizationId == organizationId)
            .GroupBy(n => n.State)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var capacity = await NumberCapacityQueries.FreeCapacityAsync(db, organizationId, cancellationToken);
        return new NumberSummary(
            counts.GetValueOrDefault(NumberState.Available),
            counts.GetValueOrDefault(NumberState.Reserved),
            counts.GetValueOrDefault(NumberState.Assigned),
            counts.GetValueOrDefault(NumberState.Registered),
            capacity);
    }

    public static async Task<Page<NumberRow>> ListAsync(MultiLineDbContext db, int organizationId, NumberState? state, string? search, PageRequest page, CancellationToken cancellationToken = default)
    {
        var query = db.Numbers.AsNoTracking().Where(n => n.OrganizationId == organizationId);
        if (state is { } s)
            query = query.Where(n => n.State == s);
        var digits = new string((search ?? "").Where(char.IsDigit).ToArray());
        if (digits.Length > 0)
            query = query.Where(n => n.E164.Contains(digits));
        var total = await query.CountAsync(cancellationToken);
        var items = await (page.Descending ? query.OrderByDescending(n => n.E164) : query.OrderBy(n => n.E164))
            .Skip(page.Skip)
            .Take(page.Take)
            .Select(n => new NumberRow(n.Id, n.E164, n.State, n.ReservationTag, n.AccountId, n.Account != null ? n.Account.Username : null))
            .ToListAsync(cancellationToken);
        return new Page<NumberRow>(items, total);
    }

    /// <summary>
    /// Adds <paramref name="count"/> consecutive numbers starting at <paramref name="firstE164"/> as Available, for seeding,
    /// benchmarks and tests (recorded like any write). Admins add numbers through <see cref="NumberAdditions"/>, which
    /// previews the list and names every clash.
    /// </summary>
    public static async Task<NumberChange> AddRangeAsync(MultiLineDbContext db, int organizationId, string firstE164, int count, ActivityActor actor, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        if (count is < 1 or > MaxRangeSize)
            return NumberChange.Refused($"A range holds 1 to {MaxRangeSize:N0} numbers.");
        if (!Accounts.Username.TryNormalizePhone(firstE164, out var first, out var error))
            return NumberChange.Refused($"First number {error}");
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
            return NumberChange.Refused("That organization is not in your scope.");

        var digits = first![1..];
        var start = long.Parse(digits);
        if ((start + count - 1).ToString().Length != digits.Length)
            return NumberChange.Refused("The range runs past the last number with that many digits.");
        var range = Enumerable.Range(0, count).Select(i => "+" + (start + i)).ToList();

        // Numbers the admin can see are named; a number of another subtree is only refused by the unique index,
        // unnamed, so the answer does not tell what another organization holds.
        var taken = new List<string>();
        foreach (var chunk in range.Chunk(500))
            taken.AddRange(await db.Numbers.Where(n => chunk.Contains(n.E164)).Select(n => n.E164).ToListAsync(cancellationToken));
        if (taken.Count > 0)
            return NumberChange.Refused($"{taken.Count:N0} of these numbers already {(taken.Count == 1 ? "exists" : "exist")} (first: {taken.Min()}). Choose a free range.");

        db.Numbers.AddRange(range.Select(e164 => new MultiLineNumber { E164 = e164, OrganizationId = organizationId, State = NumberState.Available }));
        var organization = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Name).FirstAsync(cancellationToken);
        ActivityLog.Record(db, actor, nowUtc, ActivityActions.NumbersAdd, organizationId, ActivityTargetKind.Organization,
            organizationId.ToString(System.Globalization.CultureInfo.InvariantCulture), organization,
            count == 1 ? $"Added {range[0]}" : $"Added {count:N0} numbers, {range[0]} to {range[^1]}");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return NumberChange.Refused("Some of these numbers already belong to the MultiLine inventory. Choose a free range.");
        }
        return NumberChange.Done;
    }
}
