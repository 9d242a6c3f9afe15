using MultiLine.Core.Activity;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Invitations;
using MultiLine.Core.Imports;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

/// <summary>The Single Account form's answers, as typed, and where the account goes.</summary>
public sealed record SingleAccountRequest(AccountInput Input, int OrganizationId, int PermissionGroupId, bool Invite);

/// <summary>The new account, or the problems to show next to the fields. <see cref="NoteIsWarning"/>: the account was added, but its invitation was refused.</summary>
public sealed record SingleAccountResult(int? AccountId, IReadOnlyList<ImportProblem> Problems, string? Note, bool NoteIsWarning = false)
{
    public bool Succeeded => AccountId is not null;
}

/// <summary>
/// Adds one account with the same rules as a CSV row (one validator), except that an admin may hand out a Reserved
/// number. The number is taken with a conditional update, and the invitation is queued in the same transaction.
/// </summary>
/// <remarks>
/// The admin's scoped context proves the organization and group are theirs; the username check (unique across all
/// organizations), the ancestors' numbers and the writes then go through a system context, so no query an admin's
/// page runs ever has its scope switched off.
/// </remarks>
public sealed class SingleAccountCreation(AccountInputValidator rules, InvitationIssuer invitations, SystemDbContextFactory system, TimeProvider clock)
{
    /// <summary>Numbers an admin may hand out to one account of the organization: Available or Reserved, its own or its ancestors'.</summary>
    public async Task<IReadOnlyList<NumberRow>> AssignableNumbersAsync(MultiLineDbContext scopedDb, int organizationId, string? search, int take = 20, CancellationToken cancellationToken = default)
    {
        var organization = await scopedDb.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return [];
        var owners = organization.AncestorIdsAndSelf();
        var digits = new string((search ?? "").Where(char.IsDigit).ToArray());
        await using var db = await system.CreateAsync(cancellationToken);
        var numbers = await db.Numbers.AsNoTracking()
            .Where(NumberRules.TakableBy(owners, byAdmin: true))
            .Where(n => digits.Length == 0 || n.E164.Contains(digits))
            .OrderBy(n => n.State).ThenBy(n => n.E164)
            .Take(take)
            .Select(n => new NumberRow(n.Id, n.E164, n.State, n.ReservationTag, null, null))
            .ToListAsync(cancellationToken);
        if (digits.Length > 0)
            return numbers;
        // "Any Reserved number with tag X" first, as tag:X (what a CSV row writes too), for each tag with a number left.
        var tags = await db.Numbers.AsNoTracking()
            .Where(NumberRules.TakableBy(owners, byAdmin: true))
            .Where(n => n.State == NumberState.Reserved && n.ReservationTag != null)
            .Select(n => n.ReservationTag!).Distinct().OrderBy(t => t).Take(10)
            .ToListAsync(cancellationToken);
        var wanted = search?.Trim() ?? "";
        return [.. tags.Select(ReservedTagNumbers.Write).Where(t => t.Contains(wanted, StringComparison.OrdinalIgnoreCase))
            .Select(t => new NumberRow(0, t, NumberState.Reserved, t[ReservedTagNumbers.Prefix.Length..], null, null)), .. numbers];
    }

    public async Task<SingleAccountResult> CreateAsync(MultiLineDbContext scopedDb, SingleAccountRequest request, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        var organization = await scopedDb.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == request.OrganizationId, cancellationToken);
        if (organization is null)
            return Problem(null, "Choose an organization.");
        var group = await scopedDb.PermissionGroups.AsNoTracking().UsableBy(organization).FirstOrDefaultAsync(g => g.Id == request.PermissionGroupId, cancellationToken);
        if (group is null)
            return Problem(null, $"Choose a User Permissions group available to {organization.Name}.");

        var check = rules.Check(request.Input, new AccountRulesContext(organization, group));
        if (check.Draft is not { } draft)
            return new SingleAccountResult(null, check.Problems, null);

        await using var db = await system.CreateAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (request.Invite)
            await db.LockCapacityAsync(organization.Id, cancellationToken);
        var holders = await UsernameHolders.FindAsync(db, [draft.Username.Normalized], cancellationToken);
        if (holders.TryGetValue(draft.Username.Normalized, out var holder))
            return Problem(CsvColumns.Name(CsvColumn.Username), holder.Message(draft.Username.Value, scopedDb.Scope.Includes));

        var account = draft.ToAccount(organization.Id, group.Id, clock.GetUtcNow().UtcDateTime);
        db.Accounts.Add(account);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another admin saved the same username between the check and the insert: the unique index has the last word.
            await transaction.RollbackAsync(cancellationToken);
            return Problem(CsvColumns.Name(CsvColumn.Username), Username.InUse(draft.Username.Value, null));
        }

        if (draft.MultiLineNumber is { } tagged && ReservedTagNumbers.IsTag(tagged))
        {
            var tag = tagged[ReservedTagNumbers.Prefix.Length..];
            if ((await ReservedTagNumbers.TakeAsync(db, [(tag, account.Id)], organization.AncestorIdsAndSelf(), cancellationToken)).Count == 0)
                return Problem(CsvColumns.Name(CsvColumn.MultiLineNumber), ReservedTagNumbers.NoneLeftFor(tag, organization.Name));
        }
        else if (draft.MultiLineNumber is { } e164
            && !await NumberRules.TakeAsync(db, e164, organization.AncestorIdsAndSelf(), account.Id, byAdmin: true, cancellationToken))
            return Problem(CsvColumns.Name(CsvColumn.MultiLineNumber), NumberRules.NotTakable(e164, organization.Name));

        string? note = null;
        var warning = false;
        if (request.Invite)
        {
            var invitation = await invitations.QueueAsync(db, account, cancellationToken);
            note = invitation.Succeeded ? "The invitation is on its way." : $"The account was added, but not invited. {invitation.Reason}";
            warning = !invitation.Succeeded;
        }
        ActivityLog.Record(db, actor, account.CreatedAtUtc, ActivityActions.AccountCreate, organization.Id, ActivityTargetKind.Account, AccountLifecycle.Key(account.Id), account.Username,
            $"In {organization.Name}, group {group.Name}" + (draft.MultiLineNumber is { } number ? $", number {number}" : "") + (request.Invite ? (warning ? "; not invited" : "; invited") : ""));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SingleAccountResult(account.Id, [], note, warning);
    }

    private static SingleAccountResult Problem(string? column, string message) =>
        new(null, [new ImportProblem(null, column, null, message, ProblemSeverity.Error)], null);
}
