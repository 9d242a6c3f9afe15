using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

public enum AccountChangeStatus { Done, Unchanged, NotFound, NotAllowed, Refused }

/// <summary>What an edit, suspend, unsuspend or delete did, in the admin's words; <see cref="Problems"/> are the fields' own errors.</summary>
public sealed record AccountChangeResult(AccountChangeStatus Status, string Message, IReadOnlyList<ImportProblem> Problems)
{
    public bool Succeeded => Status is AccountChangeStatus.Done or AccountChangeStatus.Unchanged;

    /// <summary>The number the change concerned, when it had one: for a deletion, the one released or kept Reserved.</summary>
    public string? Number { get; init; }

    public static AccountChangeResult Done(string message) => new(AccountChangeStatus.Done, message, []);
    public static AccountChangeResult Refused(string message) => new(AccountChangeStatus.Refused, message, []);
    public static AccountChangeResult Invalid(IReadOnlyList<ImportProblem> problems) =>
        new(AccountChangeStatus.Refused, "The account was not saved: " + string.Join(" ", problems.Where(p => p.IsError).Select(p => p.Text)), problems);
    public static AccountChangeResult Field(CsvColumn column, string message) =>
        Invalid([new ImportProblem(null, column.Name(), null, message, ProblemSeverity.Error)]);
    public static readonly AccountChangeResult NotFound = new(AccountChangeStatus.NotFound, AccountLifecycle.NotFoundMessage, []);
    public static readonly AccountChangeResult NotAllowed = new(AccountChangeStatus.NotAllowed, AccountLifecycle.NotAllowedMessage, []);
}

/// <summary>An edit: every value of the account as the single-account form holds it, and its permission group.</summary>
public sealed record AccountEdit(AccountInput Input, int PermissionGroupId);

/// <summary>What becomes of a deleted account's number.</summary>
public enum NumberDisposition { Release = 0, Reserve = 1 }

/// <summary>A delete: the number is released (Available) or kept Reserved with <see cref="Tag"/>.</summary>
public sealed record AccountDeletion(NumberDisposition Number, string? Tag = null);

/// <summary>
/// An account's life after it is added: edit (the CSV's and the single form's validator), suspend, unsuspend and delete.
/// Each needs the <see cref="Privileges.Accounts"/> privilege, is refused with the reason in the admin's words, and writes
/// exactly one <see cref="ActivityEntry"/> saying what changed, in the same transaction as the change.
/// </summary>
/// <remarks>
/// The public methods take the admin's scoped context, which proves the account (and the permission group) are theirs;
/// the change itself then runs through a system context, as the single-account form does, because usernames are unique
/// across organizations and an account may hold an ancestor's number. The <c>Apply…</c> steps do one account's change
/// on a context the caller owns and commits (a batch row handler's transaction), so bulk actions reuse them row by row.
/// Status changes are conditional updates on the status just read, so two admins acting at once change it once.
/// </remarks>
public sealed class AccountLifecycle(AccountInputValidator rules, SystemDbContextFactory system, TimeProvider clock)
{
    public const string NotFoundMessage = "That account does not exist or is outside your scope.";
    public const string NotAllowedMessage = "You need the Accounts privilege to change accounts.";
    public const string ChangedMeanwhile = "Another admin changed this account a moment ago. Reload it and try again.";

    /// <summary>Why the account cannot be suspended now; null when it can.</summary>
    public static string? SuspendRefusal(AccountStatus status) =>
        status == AccountStatus.Suspended ? "The account is already suspended." : null;

    /// <summary>Why the account cannot be unsuspended now; null when it can.</summary>
    public static string? UnsuspendRefusal(AccountStatus status) =>
        status != AccountStatus.Suspended ? $"The account is {AccountStatuses.Label(status).ToLowerInvariant()}; only a suspended account can be unsuspended." : null;

    /// <summary>Why the number of an account in <paramref name="status"/> cannot change; null when it can.</summary>
    public static string? NumberChangeRefusal(AccountStatus status) => AccountStatuses.IsPending(status)
        ? null
        : $"The number of {(status == AccountStatus.Active ? "an active" : "a suspended")} account cannot change: the user's MultiLine app is registered with it. Delete the account to free it.";

    /// <summary>
    /// The status Unsuspend returns to: the one the account had when it was suspended. An account suspended without one
    /// on record (data from before it was kept) is Active when its number is registered, otherwise Not invited.
    /// </summary>
    public static AccountStatus StatusAfterUnsuspend(AccountStatus? before, bool holdsRegisteredNumber) =>
        before ?? (holdsRegisteredNumber ? AccountStatus.Active : AccountStatus.NotInvited);

    public async Task<AccountChangeResult> EditAsync(MultiLineDbContext scopedDb, int accountId, AccountEdit edit, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (await CheckAsync(scopedDb, accountId, cancellationToken) is { } refused)
            return refused;
        var organizationId = await scopedDb.Accounts.Where(a => a.Id == accountId).Select(a => a.OrganizationId).SingleAsync(cancellationToken);
        var organization = await scopedDb.Organizations.AsNoTracking().SingleAsync(o => o.Id == organizationId, cancellationToken);
        var group = await scopedDb.PermissionGroups.AsNoTracking().UsableBy(organization).FirstOrDefaultAsync(g => g.Id == edit.PermissionGroupId, cancellationToken);
        if (group is null)
            return AccountChangeResult.Refused($"Choose a User Permissions group available to {organization.Name}.");

        await using var db = await system.CreateAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await ApplyEditAsync(db, accountId, organization, group, edit.Input, scopedDb.Scope.Includes, actor, Now, cancellationToken);
        if (result.Status != AccountChangeStatus.Done)
            return result;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another admin saved the same username between the check and the save: the unique index has the last word.
            await transaction.RollbackAsync(cancellationToken);
            return AccountChangeResult.Field(CsvColumn.Username, Username.InUse(edit.Input.Username?.Trim() ?? "", null));
        }
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public Task<AccountChangeResult> SuspendAsync(MultiLineDbContext scopedDb, int accountId, ActivityActor actor, CancellationToken cancellationToken = default) =>
        RunAsync(scopedDb, accountId, (db, now) => ApplySuspendAsync(db, accountId, actor, now, cancellationToken), cancellationToken);

    public Task<AccountChangeResult> UnsuspendAsync(MultiLineDbContext scopedDb, int accountId, ActivityActor actor, CancellationToken cancellationToken = default) =>
        RunAsync(scopedDb, accountId, (db, now) => ApplyUnsuspendAsync(db, accountId, actor, now, cancellationToken), cancellationToken);

    public Task<AccountChangeResult> DeleteAsync(MultiLineDbContext scopedDb, int accountId, AccountDeletion deletion, ActivityActor actor, CancellationToken cancellationToken = default) =>
        RunAsync(scopedDb, accountId, (db, now) => ApplyDeleteAsync(db, accountId, deletion, actor, now, cancellationToken), cancellationToken);

    /// <summary>
    /// Edits one account on <paramref name="db"/> (tracked changes and the activity entry; the caller saves and commits).
    /// <paramref name="organization"/> and <paramref name="group"/> are the account's organization and the group the
    /// caller checked is usable there; <paramref name="visible"/> says which organizations a refusal may name.
    /// </summary>
    public async Task<AccountChangeResult> ApplyEditAsync(MultiLineDbContext db, int accountId, Organization organization, PermissionGroup group,
        AccountInput input, Func<string, bool> visible, ActivityActor actor, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        var check = rules.Check(input, new AccountRulesContext(organization, group));
        if (check.Draft is not { } draft)
            return AccountChangeResult.Invalid(check.Problems);

        var account = await db.Accounts.Include(a => a.Number).Include(a => a.PermissionGroup).FirstOrDefaultAsync(a => a.Id == accountId, cancellationToken);
        if (account is null)
            return AccountChangeResult.NotFound;

        // Every refusal comes before the first change, so a refused row leaves a batch's context as it found it.
        if (draft.Username.Normalized != account.NormalizedUsername)
        {
            var holders = await UsernameHolders.FindAsync(db, [draft.Username.Normalized], cancellationToken);
            if (holders.TryGetValue(draft.Username.Normalized, out var holder))
                return AccountChangeResult.Field(CsvColumn.Username, holder.Message(draft.Username.Value, visible));
        }
        var held = account.Number?.E164;
        var numberChanges = !string.Equals(held, draft.MultiLineNumber, StringComparison.Ordinal);
        if (numberChanges && NumberChangeRefusal(account.Status) is { } numberRefusal)
            return AccountChangeResult.Field(CsvColumn.MultiLineNumber, numberRefusal);
        var owners = organization.AncestorIdsAndSelf();
        var wantedTag = ReservedTagNumbers.IsTag(draft.MultiLineNumber) ? draft.MultiLineNumber![ReservedTagNumbers.Prefix.Length..] : null;
        if (numberChanges && wantedTag is not null
            && (await ReservedTagNumbers.CountLeftAsync(db, [wantedTag], owners, cancellationToken))[wantedTag] == 0)
            return AccountChangeResult.Field(CsvColumn.MultiLineNumber, ReservedTagNumbers.NoneLeftFor(wantedTag, organization.Name));
        if (numberChanges && wantedTag is null && draft.MultiLineNumber is { } wanted
            && !await db.Numbers.Where(n => n.E164 == wanted).AnyAsync(NumberRules.TakableBy(owners, byAdmin: true), cancellationToken))
            return AccountChangeResult.Field(CsvColumn.MultiLineNumber, NumberRules.NotTakable(wanted, organization.Name));

        var changes = new List<string>();
        void Change<T>(string label, T before, T after, Action set)
        {
            if (EqualityComparer<T>.Default.Equals(before, after))
                return;
            changes.Add($"{label}: {Shown(before)} → {Shown(after)}");
            set();
        }

        Change("Username", account.Username, draft.Username.Value, () => (account.Username, account.NormalizedUsername) = (draft.Username.Value, draft.Username.Normalized));
        Change("First name", account.FirstName, draft.FirstName, () => account.FirstName = draft.FirstName);
        Change("Last name", account.LastName, draft.LastName, () => account.LastName = draft.LastName);
        Change("User Permissions", account.PermissionGroup?.Name, group.Name, () => account.PermissionGroupId = group.Id);
        Change("Social messaging", account.SocialMessaging, draft.SocialMessaging, () => account.SocialMessaging = draft.SocialMessaging);
        Change("Restrict incoming social messaging", account.RestrictIncomingSocialMessaging, draft.RestrictIncomingSocialMessaging,
            () => account.RestrictIncomingSocialMessaging = draft.RestrictIncomingSocialMessaging);
        Change("Monitor calls", account.MonitorCalls, draft.MonitorCalls, () => account.MonitorCalls = draft.MonitorCalls);
        Change("Monitor SMS", account.MonitorSms, draft.MonitorSms, () => account.MonitorSms = draft.MonitorSms);
        Change("Forwarding number", account.ForwardingNumber, draft.ForwardingNumber, () => account.ForwardingNumber = draft.ForwardingNumber);
        Change("Language", account.Language, draft.Language, () => account.Language = draft.Language);

        if (numberChanges)
        {
            if (account.Number is { } old)
            {
                // A pending account's number is only Assigned: it goes back to Available before the new one is taken.
                (old.State, old.AccountId, old.ReservationTag, account.Number) = (NumberState.Available, null, null, null);
                await db.SaveChangesAsync(cancellationToken);
            }
            var taken = draft.MultiLineNumber;
            if (wantedTag is not null)
            {
                if (!(await ReservedTagNumbers.TakeAsync(db, [(wantedTag, account.Id)], owners, cancellationToken)).TryGetValue(account.Id, out taken))
                    return AccountChangeResult.Field(CsvColumn.MultiLineNumber, ReservedTagNumbers.NoneLeftFor(wantedTag, organization.Name));
            }
            else if (draft.MultiLineNumber is { } e164
                && !await NumberRules.TakeAsync(db, e164, owners, account.Id, byAdmin: true, cancellationToken))
                // Taken by someone else since the check above: the caller rolls its transaction back (EditAsync does).
                return AccountChangeResult.Field(CsvColumn.MultiLineNumber, NumberRules.NotTakable(e164, organization.Name));
            changes.Add($"MultiLine number: {Shown(held)} → {Shown(taken)}{(held is null ? "" : $" ({held} released to Available)")}");
        }

        if (changes.Count == 0)
            return new AccountChangeResult(AccountChangeStatus.Unchanged, "Nothing changed.", check.Problems);
        var details = string.Join("; ", changes);
        ActivityLog.Record(db, actor, nowUtc, ActivityActions.AccountEdit, account.OrganizationId, ActivityTargetKind.Account, Key(account.Id), account.Username, details);
        return new AccountChangeResult(AccountChangeStatus.Done, $"Saved. {details}.", check.Problems);
    }

    /// <summary>Suspends one account on <paramref name="db"/>: it keeps its number and cannot sign in or activate until unsuspended.</summary>
    public static async Task<AccountChangeResult> ApplySuspendAsync(MultiLineDbContext db, int accountId, ActivityActor actor, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId)
            .Select(a => new { a.Status, a.Username, a.OrganizationId }).FirstOrDefaultAsync(cancellationToken);
        if (account is null)
            return AccountChangeResult.NotFound;
        if (SuspendRefusal(account.Status) is { } refusal)
            return AccountChangeResult.Refused(refusal);
        var changed = await db.Accounts.Where(a => a.Id == accountId && a.Status == account.Status)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AccountStatus.Suspended).SetProperty(a => a.StatusBeforeSuspension, account.Status), cancellationToken);
        if (changed != 1)
            return AccountChangeResult.Refused(ChangedMeanwhile);
        var details = $"Status: {AccountStatuses.Label(account.Status)} → {AccountStatuses.Label(AccountStatus.Suspended)}";
        ActivityLog.Record(db, actor, nowUtc, ActivityActions.AccountSuspend, account.OrganizationId, ActivityTargetKind.Account, Key(accountId), account.Username, details);
        return AccountChangeResult.Done($"{account.Username} is suspended. It keeps its number; unsuspend returns it to {AccountStatuses.Label(account.Status)}.");
    }

    /// <summary>Returns one suspended account on <paramref name="db"/> to the status it had (<see cref="StatusAfterUnsuspend"/>).</summary>
    public static async Task<AccountChangeResult> ApplyUnsuspendAsync(MultiLineDbContext db, int accountId, ActivityActor actor, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId)
            .Select(a => new
            {
                a.Status, a.StatusBeforeSuspension, a.Username, a.OrganizationId,
                Registered = a.Number != null && a.Number.State == NumberState.Registered,
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (account is null)
            return AccountChangeResult.NotFound;
        if (UnsuspendRefusal(account.Status) is { } refusal)
            return AccountChangeResult.Refused(refusal);
        var after = StatusAfterUnsuspend(account.StatusBeforeSuspension, account.Registered);
        var changed = await db.Accounts.Where(a => a.Id == accountId && a.Status == AccountStatus.Suspended)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, after).SetProperty(a => a.StatusBeforeSuspension, (AccountStatus?)null), cancellationToken);
        if (changed != 1)
            return AccountChangeResult.Refused(ChangedMeanwhile);
        var details = $"Status: {AccountStatuses.Label(AccountStatus.Suspended)} → {AccountStatuses.Label(after)}";
        ActivityLog.Record(db, actor, nowUtc, ActivityActions.AccountUnsuspend, account.OrganizationId, ActivityTargetKind.Account, Key(accountId), account.Username, details);
        return AccountChangeResult.Done($"{account.Username} is {AccountStatuses.Label(after).ToLowerInvariant()} again.");
    }

    /// <summary>
    /// Deletes one account on <paramref name="db"/>. Its number is released or kept Reserved with a tag; its unused
    /// invitations die with it (their links say "not valid") and invitation emails still queued are never sent.
    /// </summary>
    public static async Task<AccountChangeResult> ApplyDeleteAsync(MultiLineDbContext db, int accountId, AccountDeletion deletion, ActivityActor actor, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        string? tag = null;
        if (deletion.Number == NumberDisposition.Reserve && !NumberRules.TryNormalizeTag(deletion.Tag, out tag, out var tagError))
            return AccountChangeResult.Refused(tagError!);
        var account = await db.Accounts.AsNoTracking().Where(a => a.Id == accountId)
            .Select(a => new { a.Username, a.FirstName, a.LastName, a.Status, a.OrganizationId, Organization = a.Organization!.Name, Number = a.Number != null ? a.Number.E164 : null })
            .FirstOrDefaultAsync(cancellationToken);
        if (account is null)
            return AccountChangeResult.NotFound;

        // The account row goes first: a second admin deleting at once finds nothing to delete and changes nothing.
        // The number's holder becomes null with it (foreign key), so the number is then found by its E.164.
        var queued = await db.EmailMessages
            .Where(m => m.AccountId == accountId && m.Kind == EmailKind.Invitation && m.State == EmailState.Queued)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.State, EmailState.Withdrawn), cancellationToken);
        var deleted = await db.Accounts.Where(a => a.Id == accountId).ExecuteDeleteAsync(cancellationToken);
        if (deleted != 1)
            return AccountChangeResult.NotFound;

        string numberText = "no number";
        if (account.Number is { } e164)
        {
            await db.Numbers.Where(n => n.E164 == e164 && n.AccountId == null)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(n => n.State, tag is null ? NumberState.Available : NumberState.Reserved)
                    .SetProperty(n => n.ReservationTag, tag), cancellationToken);
            numberText = tag is null ? $"number {e164} released to Available" : $"number {e164} kept Reserved ({tag})";
        }
        var name = string.Join(' ', new[] { account.FirstName, account.LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var details = $"Deleted {(name.Length > 0 ? $"{name} " : "")}({account.Username}, {AccountStatuses.Label(account.Status)}, {account.Organization}); {numberText}"
            + (queued > 0 ? $"; {queued} queued invitation email{(queued == 1 ? "" : "s")} not sent" : "");
        ActivityLog.Record(db, actor, nowUtc, ActivityActions.AccountDelete, account.OrganizationId, ActivityTargetKind.Account, Key(accountId), account.Username, details);
        return AccountChangeResult.Done($"{account.Username} is deleted; {numberText}.") with { Number = account.Number };
    }

    /// <summary>The activity record's key for an account.</summary>
    public static string Key(int accountId) => accountId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private async Task<AccountChangeResult> RunAsync(MultiLineDbContext scopedDb, int accountId, Func<MultiLineDbContext, DateTime, Task<AccountChangeResult>> apply, CancellationToken cancellationToken)
    {
        if (await CheckAsync(scopedDb, accountId, cancellationToken) is { } refused)
            return refused;
        await using var db = await system.CreateAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await apply(db, Now);
        if (result.Status != AccountChangeStatus.Done)
            return result;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>The privilege, then the scope: an account outside it is "not found", exactly like one that does not exist.</summary>
    private static async Task<AccountChangeResult?> CheckAsync(MultiLineDbContext scopedDb, int accountId, CancellationToken cancellationToken)
    {
        if (!await scopedDb.Accounts.AnyAsync(a => a.Id == accountId, cancellationToken))
            return AccountChangeResult.NotFound;
        return scopedDb.Scope.Has(Privileges.Accounts) ? null : AccountChangeResult.NotAllowed;
    }

    private static string Shown<T>(T value) => value switch
    {
        null => "(none)",
        string { Length: 0 } => "(none)",
        bool b => b ? "on" : "off",
        MonitorCalls c => c == MonitorCalls.Auto ? "auto" : "off",
        MonitorSms s => s == MonitorSms.On ? "on" : "off",
        _ => value.ToString()!,
    };
}
