using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Common;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>What a multi-number act did: how many numbers, the first and last of them, or why nothing changed.</summary>
public sealed record NumberMoveResult(bool Succeeded, int Count, string? Error, string? Description = null)
{
    public static NumberMoveResult Refused(string error) => new(false, 0, error);
}

/// <summary>
/// Numbers picked by an admin: either the numbers named (<see cref="Numbers"/>), or <see cref="Quantity"/> numbers of a
/// series (<see cref="Series"/>, such as +1415; empty for any), lowest first.
/// </summary>
public sealed record NumberPick(IReadOnlyList<string>? Numbers = null, string? Series = null, int? Quantity = null)
{
    public static NumberPick Named(params IReadOnlyList<string> numbers) => new(numbers);
    public static NumberPick FromSeries(string? series, int quantity) => new(null, series, quantity);
}

/// <summary>
/// Moves numbers between an organization and its sub-organizations (allocate down, withdraw up) and sets them aside
/// (reserve with a tag, release). Each act runs in one transaction with one activity record, and changes every number
/// it names or none.
/// </summary>
/// <remarks>
/// Concurrency: allocation and withdrawal lock both organizations' capacity rows (lowest id first, as every unit of work
/// that spends capacity does, <see cref="NumberCapacityQueries.LockCapacityAsync(MultiLineDbContext, IEnumerable{int}, CancellationToken)"/>),
/// and move numbers with one conditional update that only matches numbers still unheld in the source; an import taking
/// the same numbers uses a conditional update too (<see cref="NumberRules.TakeManyAsync"/>), so whichever commits first
/// wins and the other sees the number gone. A move that loses a number to such a race picks the next one.
/// </remarks>
public static class NumberMoves
{
    public const string NotInScope = "That organization does not exist or is outside your scope.";
    public const string OnlyUnused = "Only unused numbers can be withdrawn";

    /// <summary>Allocates <paramref name="quantity"/> Available numbers of a series from an organization to one of its sub-organizations.</summary>
    public static async Task<NumberMoveResult> AllocateAsync(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, int fromOrganizationId, int toOrganizationId,
        string? series, int quantity, CancellationToken cancellationToken = default)
    {
        if (!NumberList.TryNormalizeSeries(series, out var prefix, out var seriesError))
            return NumberMoveResult.Refused(seriesError!);
        if (quantity is < 1 or > NumberList.MaxNumbers)
            return NumberMoveResult.Refused($"Allocate 1 to {NumberList.MaxNumbers:N0} numbers at a time.");
        var from = await FindAsync(db, fromOrganizationId, cancellationToken);
        var to = await FindAsync(db, toOrganizationId, cancellationToken);
        if (from is null || to is null)
            return NumberMoveResult.Refused(NotInScope);
        if (to.Id == from.Id || !to.Path.StartsWith(from.Path, StringComparison.Ordinal))
            return NumberMoveResult.Refused($"{to.Name} is not a sub-organization of {from.Name}; numbers are allocated down the organization tree.");

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockCapacityAsync([from.Id, to.Id], cancellationToken);
        var moved = new List<int>(quantity);
        while (moved.Count < quantity)
        {
            var candidates = await db.Numbers.AsNoTracking()
                .Where(n => n.OrganizationId == from.Id && n.State == NumberState.Available && n.AccountId == null && n.E164.StartsWith(prefix))
                .OrderBy(n => n.E164).Select(n => n.Id).Take(quantity - moved.Count).ToListAsync(cancellationToken);
            if (candidates.Count == 0)
                break;
            await db.Numbers
                .Where(n => candidates.Contains(n.Id) && n.OrganizationId == from.Id && n.State == NumberState.Available && n.AccountId == null)
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.OrganizationId, to.Id), cancellationToken);
            moved.AddRange(await db.Numbers.Where(n => candidates.Contains(n.Id) && n.OrganizationId == to.Id).Select(n => n.Id).ToListAsync(cancellationToken));
        }
        if (moved.Count < quantity)
        {
            await transaction.RollbackAsync(cancellationToken);
            return NumberMoveResult.Refused(
                $"{from.Name} has only {Words.Count(moved.Count, "Available number")}{NumberList.Starting(prefix)}; {quantity:N0} cannot be allocated to {to.Name}.");
        }
        var description = $"{NumberList.Count(quantity, prefix)} allocated from {from.Name} to {to.Name}{await SpanAsync(db, moved, cancellationToken)}.";
        return await RecordAsync(db, transaction, actor, nowUtc, ActivityActions.NumbersAllocate, to, quantity, description, cancellationToken);
    }

    /// <summary>
    /// Withdraws unused numbers (Available, or Reserved with no account) from a sub-organization back to its direct parent.
    /// A number an account holds is never withdrawn.
    /// </summary>
    public static async Task<NumberMoveResult> WithdrawAsync(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, int organizationId, NumberPick pick,
        CancellationToken cancellationToken = default)
    {
        var organization = await FindAsync(db, organizationId, cancellationToken);
        if (organization is null)
            return NumberMoveResult.Refused(NotInScope);
        if (organization.ParentId is not { } parentId)
            return NumberMoveResult.Refused($"{organization.Name} has no parent organization to withdraw numbers to.");
        var parent = await FindAsync(db, parentId, cancellationToken);
        if (parent is null)
            return NumberMoveResult.Refused($"The parent organization of {organization.Name} is outside your scope; numbers cannot be withdrawn to it.");

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.LockCapacityAsync([organization.Id, parent.Id], cancellationToken);
        var picked = await PickAsync(db, organization, pick, unusedOnly: true, cancellationToken);
        if (picked.Error is { } error)
            return NumberMoveResult.Refused(error);
        var moved = await db.Numbers
            .Where(n => picked.Ids.Contains(n.Id) && n.OrganizationId == organization.Id && n.AccountId == null
                && (n.State == NumberState.Available || n.State == NumberState.Reserved))
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.OrganizationId, parent.Id), cancellationToken);
        if (moved != picked.Ids.Count)
        {
            await transaction.RollbackAsync(cancellationToken);
            return NumberMoveResult.Refused($"{OnlyUnused}: {Words.Count(picked.Ids.Count - moved, "number")} went to accounts meanwhile. Nothing was withdrawn; try again.");
        }
        var description = $"{NumberList.Count(moved, picked.Prefix)} withdrawn from {organization.Name} to {parent.Name}{await SpanAsync(db, picked.Ids, cancellationToken)}.";
        return await RecordAsync(db, transaction, actor, nowUtc, ActivityActions.NumbersWithdraw, organization, moved, description, cancellationToken);
    }

    /// <summary>Sets Available numbers of the organization aside with a tag (PORTED); every picked number must be Available.</summary>
    public static async Task<NumberMoveResult> ReserveAsync(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, int organizationId, string? tag, NumberPick pick,
        CancellationToken cancellationToken = default)
    {
        if (!NumberRules.TryNormalizeTag(tag, out var normalized, out var tagError))
            return NumberMoveResult.Refused(tagError!);
        var organization = await FindAsync(db, organizationId, cancellationToken);
        if (organization is null)
            return NumberMoveResult.Refused(NotInScope);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var picked = await PickAsync(db, organization, pick, unusedOnly: false, cancellationToken, state: NumberState.Available);
        if (picked.Error is { } error)
            return NumberMoveResult.Refused(error);
        var reserved = await db.Numbers
            .Where(n => picked.Ids.Contains(n.Id) && n.State == NumberState.Available && n.AccountId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Reserved).SetProperty(n => n.ReservationTag, normalized), cancellationToken);
        if (reserved != picked.Ids.Count)
        {
            await transaction.RollbackAsync(cancellationToken);
            return NumberMoveResult.Refused($"{Words.Count(picked.Ids.Count - reserved, "number")} stopped being available meanwhile. Nothing was reserved; try again.");
        }
        var description = $"{NumberList.Count(reserved, picked.Prefix)} reserved ({normalized}){await SpanAsync(db, picked.Ids, cancellationToken)}.";
        return await RecordAsync(db, transaction, actor, nowUtc, ActivityActions.NumbersReserve, organization, reserved, description, cancellationToken);
    }

    /// <summary>Makes Reserved numbers of the organization Available again; every picked number must be Reserved.</summary>
    public static async Task<NumberMoveResult> ReleaseAsync(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, int organizationId, NumberPick pick,
        CancellationToken cancellationToken = default)
    {
        var organization = await FindAsync(db, organizationId, cancellationToken);
        if (organization is null)
            return NumberMoveResult.Refused(NotInScope);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var picked = await PickAsync(db, organization, pick, unusedOnly: false, cancellationToken, state: NumberState.Reserved);
        if (picked.Error is { } error)
            return NumberMoveResult.Refused(error);
        var released = await db.Numbers
            .Where(n => picked.Ids.Contains(n.Id) && n.State == NumberState.Reserved && n.AccountId == null)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Available).SetProperty(n => n.ReservationTag, (string?)null), cancellationToken);
        if (released != picked.Ids.Count)
        {
            await transaction.RollbackAsync(cancellationToken);
            return NumberMoveResult.Refused($"{Words.Count(picked.Ids.Count - released, "number")} changed meanwhile. Nothing was released; try again.");
        }
        var description = $"{NumberList.Count(released, picked.Prefix)} made Available again{await SpanAsync(db, picked.Ids, cancellationToken)}.";
        return await RecordAsync(db, transaction, actor, nowUtc, ActivityActions.NumbersRelease, organization, released, description, cancellationToken);
    }

    private sealed record Picked(List<int> Ids, string Prefix, string? Error);

    /// <summary>
    /// The ids of the numbers picked in the organization. <paramref name="unusedOnly"/>: Available or Reserved with no
    /// account (withdrawal); <paramref name="state"/>: exactly that state. Named numbers that do not qualify refuse the act.
    /// </summary>
    private static async Task<Picked> PickAsync(MultiLineDbContext db, Organization organization, NumberPick pick, bool unusedOnly, CancellationToken cancellationToken,
        NumberState? state = null)
    {
        bool Qualifies(NumberState s, int? accountId) => accountId is null && (state is { } wanted ? s == wanted : s is NumberState.Available or NumberState.Reserved);
        string Rule(int count) => state switch
        {
            NumberState.Available => $"only Available numbers can be reserved; {Words.Count(count, "of them is", "of them are")} not Available",
            NumberState.Reserved => $"only Reserved numbers can be made Available again; {Words.Count(count, "of them is", "of them are")} not Reserved",
            _ => $"{OnlyUnused}; {Words.Count(count, "of them is", "of them are")} held by an account",
        };

        if (pick.Numbers is { } named)
        {
            var e164s = new List<string>(named.Count);
            foreach (var text in named)
            {
                if (!Accounts.Username.TryNormalizePhone(text, out var e164, out var phoneError))
                    return new Picked([], "", phoneError);
                e164s.Add(e164!);
            }
            e164s = e164s.Distinct(StringComparer.Ordinal).ToList();
            if (e164s.Count == 0)
                return new Picked([], "", "Choose at least one number.");
            var found = new List<(int Id, string E164, NumberState State, int? AccountId)>();
            foreach (var chunk in e164s.Chunk(500))
                found.AddRange((await db.Numbers.AsNoTracking().Where(n => n.OrganizationId == organization.Id && chunk.Contains(n.E164))
                    .Select(n => new { n.Id, n.E164, n.State, n.AccountId }).ToListAsync(cancellationToken)).Select(n => (n.Id, n.E164, n.State, n.AccountId)));
            var missing = e164s.Except(found.Select(f => f.E164), StringComparer.Ordinal).ToList();
            if (missing.Count > 0)
                return new Picked([], "", $"{missing[0]} is not a number of {organization.Name}{(missing.Count > 1 ? $" (nor are {missing.Count - 1:N0} others)" : "")}.");
            var refused = found.Where(f => !Qualifies(f.State, f.AccountId)).OrderBy(f => f.E164, StringComparer.Ordinal).ToList();
            if (refused.Count == 1)
                return new Picked([], "", state is null
                    ? $"{OnlyUnused}: {refused[0].E164} is {NumberRules.Describe(refused[0].State)}."
                    : $"{refused[0].E164} is {NumberRules.Describe(refused[0].State)}; {Rule(1).Split(';')[0]}.");
            if (refused.Count > 1)
                return new Picked([], "", $"{char.ToUpperInvariant(Rule(refused.Count)[0])}{Rule(refused.Count)[1..]} (first: {refused[0].E164}).");
            return new Picked(found.Select(f => f.Id).ToList(), "", null);
        }

        if (!NumberList.TryNormalizeSeries(pick.Series, out var prefix, out var seriesError))
            return new Picked([], "", seriesError);
        if (pick.Quantity is not ({ } quantity and >= 1 and <= NumberList.MaxNumbers))
            return new Picked([], prefix, $"Choose 1 to {NumberList.MaxNumbers:N0} numbers.");
        var inSeries = db.Numbers.AsNoTracking().Where(n => n.OrganizationId == organization.Id && n.E164.StartsWith(prefix));
        var eligible = state is { } only
            ? inSeries.Where(n => n.AccountId == null && n.State == only)
            : inSeries.Where(n => n.AccountId == null && (n.State == NumberState.Available || n.State == NumberState.Reserved));
        // Available numbers go before Reserved ones: a reservation was made on purpose.
        var ids = await eligible.OrderBy(n => n.State).ThenBy(n => n.E164).Select(n => n.Id).Take(quantity).ToListAsync(cancellationToken);
        if (ids.Count < quantity)
        {
            var what = state switch { NumberState.Available => "Available number", NumberState.Reserved => "Reserved number", _ => "unused number" };
            var prefixText = state is null ? $"{OnlyUnused}: " : "";
            var held = state is null ? await inSeries.CountAsync(n => n.AccountId != null || n.State == NumberState.Assigned || n.State == NumberState.Registered, cancellationToken) : 0;
            return new Picked([], prefix, $"{prefixText}{organization.Name} has only {Words.Count(ids.Count, what)}{NumberList.Starting(prefix)}; you asked for {quantity:N0}."
                + (held > 0 ? $" {Words.Count(held, "other")} {Words.Is(held)} held by accounts." : ""));
        }
        return new Picked(ids, prefix, null);
    }

    private static async Task<Organization?> FindAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken) =>
        await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);

    /// <summary>" (+14155550100 to +14155550149)" for the details of the record.</summary>
    private static async Task<string> SpanAsync(MultiLineDbContext db, List<int> ids, CancellationToken cancellationToken)
    {
        var numbers = await db.Numbers.AsNoTracking().Where(n => ids.Contains(n.Id)).Select(n => n.E164).ToListAsync(cancellationToken);
        if (numbers.Count == 0)
            return "";
        numbers.Sort(StringComparer.Ordinal);
        return numbers.Count == 1 ? $" ({numbers[0]})" : $" ({numbers[0]} to {numbers[^1]})";
    }

    private static async Task<NumberMoveResult> RecordAsync(MultiLineDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction, ActivityActor actor,
        DateTime nowUtc, string action, Organization organization, int count, string description, CancellationToken cancellationToken)
    {
        ActivityLog.Record(db, actor, nowUtc, action, organization.Id, ActivityTargetKind.Organization, organization.Id.ToString(), organization.Name, description);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new NumberMoveResult(true, count, null, description);
    }
}
