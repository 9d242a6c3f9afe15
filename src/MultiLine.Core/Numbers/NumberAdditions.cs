using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>What adding a list would do: the numbers that go in, and each refused line with its reason.</summary>
public sealed record NumberAdditionPreview(int OrganizationId, string OrganizationName, IReadOnlyList<string> ToAdd, IReadOnlyList<NumberListLine> Refused)
{
    /// <summary>"38 numbers will be added to Acme, 2 refused."</summary>
    public string Summary => ToAdd.Count == 0 && Refused.Count == 0
        ? "The list holds no numbers."
        : $"{Words.Count(ToAdd.Count, "number")} will be added to {OrganizationName}" + (Refused.Count > 0 ? $", {Refused.Count:N0} refused." : ".");
}

/// <summary>The outcome of adding numbers: how many went in, or why none did.</summary>
public sealed record NumberAdditionResult(bool Succeeded, int Added, string? Error, NumberAdditionPreview? Preview)
{
    public static NumberAdditionResult Refused(string error, NumberAdditionPreview? preview = null) => new(false, 0, error, preview);
}

/// <summary>
/// Adds numbers to an organization's inventory as Available, from a pasted or uploaded list: each entry must read as
/// E.164 and be new to the whole inventory (any organization), or its line is refused with the reason. The preview is a
/// dry run of the same command; adding runs the checks again and adds every accepted number or none.
/// </summary>
/// <remarks>
/// The inventory spans organizations, so whether a number exists is read with a system context; a number outside the
/// admin's scope is refused as "already belongs to another organization", without naming it. The unique index on the
/// number is the last word when two admins add the same number at once.
/// </remarks>
public sealed class NumberAdditions(SystemDbContextFactory system)
{
    /// <summary>What <see cref="AddAsync"/> would do with <paramref name="text"/>, changing nothing.</summary>
    public async Task<NumberAdditionResult> PreviewAsync(MultiLineDbContext db, int organizationId, string? text, CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return NumberAdditionResult.Refused(NumberMoves.NotInScope);
        var lines = NumberList.Parse(text);
        if (lines.Count > NumberList.MaxNumbers)
            return NumberAdditionResult.Refused($"A list holds at most {NumberList.MaxNumbers:N0} numbers; this one has {lines.Count:N0}. Split it.");
        var checkedLines = await CheckInventoryAsync(db, lines, cancellationToken);
        var preview = new NumberAdditionPreview(organization.Id, organization.Name,
            checkedLines.Where(l => !l.IsRefused).Select(l => l.E164!).ToList(), checkedLines.Where(l => l.IsRefused).ToList());
        return new NumberAdditionResult(true, 0, null, preview);
    }

    /// <summary>
    /// Adds the accepted numbers of the list (refused lines are left out, as the preview showed), all or none, with one
    /// activity record. Refused when the list changed meaning since the preview, e.g. another admin added one of its numbers.
    /// </summary>
    public async Task<NumberAdditionResult> AddAsync(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, int organizationId, string? text,
        int? expectedCount = null, CancellationToken cancellationToken = default)
    {
        var check = await PreviewAsync(db, organizationId, text, cancellationToken);
        if (check.Preview is not { } preview)
            return check;
        if (preview.ToAdd.Count == 0)
            return NumberAdditionResult.Refused(preview.Refused.Count == 0 ? "The list holds no numbers." : "None of these numbers can be added.", preview);
        if (expectedCount is { } expected && expected != preview.ToAdd.Count)
            return NumberAdditionResult.Refused($"The list changed since it was checked: now {preview.Summary} Check it again.", preview);
        return await InsertAsync(db, actor, nowUtc, preview, $"{Words.Count(preview.ToAdd.Count, "number")} from a list", cancellationToken);
    }

    /// <summary>Adds <paramref name="count"/> consecutive numbers; refused as a whole when any of them exists.</summary>
    public async Task<NumberAdditionResult> AddRangeAsync(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, int organizationId, string firstE164, int count,
        CancellationToken cancellationToken = default)
    {
        if (!NumberList.TryRange(firstE164, count, out var range, out var error))
            return NumberAdditionResult.Refused(error!);
        var check = await PreviewAsync(db, organizationId, string.Join('\n', range), cancellationToken);
        if (check.Preview is not { } preview)
            return check;
        if (preview.Refused.Count > 0)
            return NumberAdditionResult.Refused(
                $"{preview.Refused.Count:N0} of these numbers already {(preview.Refused.Count == 1 ? "exists" : "exist")} (first: {preview.Refused[0].E164}). Choose a free range.", preview);
        return await InsertAsync(db, actor, nowUtc, preview, $"Range {range[0]} to {range[^1]}", cancellationToken);
    }

    private static async Task<NumberAdditionResult> InsertAsync(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, NumberAdditionPreview preview, string what,
        CancellationToken cancellationToken)
    {
        var numbers = preview.ToAdd;
        db.Numbers.AddRange(numbers.Select(e164 => new MultiLineNumber { E164 = e164, OrganizationId = preview.OrganizationId, State = NumberState.Available }));
        var (first, last) = (numbers.Min(StringComparer.Ordinal), numbers.Max(StringComparer.Ordinal));
        ActivityLog.Record(db, actor, nowUtc, ActivityActions.NumbersAdd, preview.OrganizationId, ActivityTargetKind.Organization, preview.OrganizationId.ToString(),
            preview.OrganizationName, $"{what}: {Words.Count(numbers.Count, "number")} added as Available ({first}{(numbers.Count > 1 ? $" to {last}" : "")}).");
        try
        {
            // One SaveChanges is one transaction: every number goes in with the record, or nothing does.
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            return NumberAdditionResult.Refused("Some of these numbers were added to the MultiLine inventory meanwhile; nothing was added. Check the list again.", preview);
        }
        return new NumberAdditionResult(true, numbers.Count, null, preview);
    }

    /// <summary>Refuses each number that already is in the inventory, naming its organization when the admin's scope covers it.</summary>
    private async Task<IReadOnlyList<NumberListLine>> CheckInventoryAsync(MultiLineDbContext db, IReadOnlyList<NumberListLine> lines, CancellationToken cancellationToken)
    {
        var wanted = lines.Where(l => !l.IsRefused).Select(l => l.E164!).ToList();
        if (wanted.Count == 0)
            return lines;
        await using var all = await system.CreateAsync(cancellationToken);
        var existing = new Dictionary<string, (string Name, string Path)>(StringComparer.Ordinal);
        foreach (var chunk in wanted.Chunk(500))
            foreach (var hit in await all.Numbers.AsNoTracking().Where(n => chunk.Contains(n.E164))
                         .Select(n => new { n.E164, n.Organization!.Name, n.Organization.Path }).ToListAsync(cancellationToken))
                existing[hit.E164] = (hit.Name, hit.Path);
        if (existing.Count == 0)
            return lines;
        return lines.Select(l => l.E164 is { } e164 && !l.IsRefused && existing.TryGetValue(e164, out var owner)
                ? l with { Refusal = $"{e164} already belongs to {(db.Scope.Includes(owner.Path) ? owner.Name : "another organization")}." }
                : l)
            .ToList();
    }
}
