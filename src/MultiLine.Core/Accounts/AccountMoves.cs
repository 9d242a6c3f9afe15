using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

/// <summary>One thing a move changes: <see cref="Text"/> for the account's report row, <see cref="Kind"/> to count alike changes in the dialog.</summary>
public sealed record MoveChange(string Kind, string Text);

/// <summary>An account the admin selected, whether it can move, and what moving would change.</summary>
public sealed record MoveCandidate(
    int AccountId, string Username, string Name, string Organization, AccountStatus Status, string? NotMovableReason, IReadOnlyList<MoveChange> Changes)
{
    public bool Movable => NotMovableReason is null;
}

/// <summary>What a move would do, shown before the admin confirms; the same checks guard the commit and the API.</summary>
public sealed record MovePlan(
    int DestinationId, string Destination, IReadOnlyList<MoveCandidate> Candidates, FreeCapacity DestinationCapacity, string? DefaultPermissionGroup)
{
    public const string NotEnoughNumbers = "Unable to move account(s). You do not have enough numbers available in the selected organization";

    public IReadOnlyList<MoveCandidate> Movable => Candidates.Where(c => c.Movable).ToList();
    public IReadOnlyList<MoveCandidate> NotMovable => Candidates.Where(c => !c.Movable).ToList();

    /// <summary>Every moved account needs a number in the destination, since it gives up the one it holds.</summary>
    public bool HasCapacity => DestinationCapacity.Covers(Movable.Count);

    public string? BlockingReason =>
        Movable.Count == 0 ? "None of the selected accounts can move: only pending accounts of other organizations move, under the destination's rules."
        : DefaultPermissionGroup is null ? $"{Destination} has no default User Permissions group to give the moved accounts."
        : !HasCapacity ? NotEnoughNumbers
        : null;

    public bool CanMove => BlockingReason is null;

    /// <summary>The changes of the movable accounts, counted: e.g. "3 accounts: social messaging will be switched off".</summary>
    public IReadOnlyList<string> ChangeSummary => Movable
        .SelectMany(c => c.Changes.Select(change => change.Kind).Distinct())
        .GroupBy(kind => kind)
        .Select(g => $"{Words.Count(g.Count(), "account")}: {g.Key}")
        .ToList();
}

/// <summary>
/// Plans and runs moves of pending accounts between organizations. A move applies every rule of the destination as if
/// the account were added there (DOMAIN.md, "Moving pending accounts"): one function, <see cref="Apply"/>, says what a
/// move refuses and changes, for the dialog, the API and the worker alike.
/// </summary>
public static class AccountMoves
{
    /// <summary>The account as a move sees it.</summary>
    public sealed record Mover(int Id, string Username, AccountStatus Status, int OrganizationId, bool SocialMessaging, bool RestrictIncomingSocialMessaging, int PermissionGroupId, string? Number);

    /// <summary>What moving <paramref name="account"/> to <paramref name="destination"/> does: a refusal, or the changes in the admin's words.</summary>
    public static (string? Refusal, IReadOnlyList<MoveChange> Changes) Apply(Mover account, Organization destination, PermissionGroup? defaultGroup)
    {
        if (!AccountStatuses.IsPending(account.Status))
            return ($"is {AccountStatuses.Label(account.Status).ToLowerInvariant()}; only pending accounts move.", []);
        if (account.OrganizationId == destination.Id)
            return ($"is already in {destination.Name}.", []);
        if (OrganizationRules.UsernameRefusal(account.Username, destination) is not null)
            return ($"is a phone number; {destination.Name} uses SMTP data offload, so it takes only email usernames.", []);
        var changes = new List<MoveChange>();
        if (account.Number is { } number)
            changes.Add(new("number released to Available", $"number {number} released to Available"));
        if (account.SocialMessaging && !destination.SocialMessagingEnabled)
            changes.Add(Alike($"social messaging off ({destination.Name} does not have it)"));
        if (defaultGroup is not null && defaultGroup.Id != account.PermissionGroupId)
            changes.Add(Alike($"User Permissions \"{defaultGroup.Name}\" ({destination.Name}'s default)"));
        return (null, changes);
    }

    /// <summary>A change worded the same for every account it applies to.</summary>
    private static MoveChange Alike(string text) => new(text, text);

    /// <summary>Reads the selection and the destination through the admin's scoped context.</summary>
    public static async Task<MovePlan?> PlanAsync(MultiLineDbContext db, IReadOnlyCollection<int> accountIds, int destinationId, CancellationToken cancellationToken = default)
    {
        var destination = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == destinationId, cancellationToken);
        if (destination is null)
            return null;
        var defaultGroup = await DefaultGroupAsync(db, destination, cancellationToken);
        var accounts = await db.Accounts.AsNoTracking()
            .Where(a => accountIds.Contains(a.Id))
            .Select(a => new
            {
                Mover = new Mover(a.Id, a.Username, a.Status, a.OrganizationId, a.SocialMessaging, a.RestrictIncomingSocialMessaging, a.PermissionGroupId,
                    a.Number != null ? a.Number.E164 : null),
                a.FirstName, a.LastName, Organization = a.Organization!.Name,
            })
            .ToListAsync(cancellationToken);
        var candidates = accounts.OrderBy(a => a.Mover.Username).Select(a =>
        {
            var (refusal, changes) = Apply(a.Mover, destination, defaultGroup);
            return new MoveCandidate(a.Mover.Id, a.Mover.Username, $"{a.FirstName} {a.LastName}".Trim(), a.Organization, a.Mover.Status, refusal, changes);
        }).ToList();
        var capacity = await db.FreeCapacityAsync(destinationId, cancellationToken);
        return new MovePlan(destination.Id, destination.Name, candidates, capacity, defaultGroup?.Name);
    }

    internal static Task<PermissionGroup?> DefaultGroupAsync(MultiLineDbContext db, Organization destination, CancellationToken cancellationToken) =>
        PermissionGroupInheritance.DefaultForAsync(db, destination, cancellationToken);
}

/// <summary>
/// Moves one pending account per row under the destination's rules (<see cref="AccountMoves.Apply"/>), as they are when
/// the row runs: releases the number it held, switches social messaging off where the destination lacks it, and gives
/// it the destination's default permission group. The destination's capacity is locked and counted once per group.
/// </summary>
public sealed class MoveRowHandler : IBatchRowHandler
{
    public bool Handles(BatchKind kind) => kind == BatchKind.Move;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        await db.LockCapacityAsync(batch.OrganizationId, cancellationToken);
        var destination = await db.Organizations.AsNoTracking().SingleAsync(o => o.Id == batch.OrganizationId, cancellationToken);
        var defaultGroup = await AccountMoves.DefaultGroupAsync(db, destination, cancellationToken);
        var ids = rows.Select(r => r.TargetAccountId!.Value).ToArray();
        var accounts = await db.Accounts.Include(a => a.Number).Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
        var capacity = await db.FreeCapacityAsync(destination.Id, cancellationToken);
        var moved = 0;

        foreach (var row in rows)
        {
            if (!accounts.TryGetValue(row.TargetAccountId!.Value, out var account))
            {
                Finish(row, RowOutcome.Failed, "The account no longer exists.");
                continue;
            }
            var mover = new AccountMoves.Mover(account.Id, account.Username, account.Status, account.OrganizationId, account.SocialMessaging,
                account.RestrictIncomingSocialMessaging, account.PermissionGroupId, account.Number?.E164);
            var (refusal, changes) = AccountMoves.Apply(mover, destination, defaultGroup);
            if (refusal is not null)
            {
                var notPending = !AccountStatuses.IsPending(account.Status) || account.OrganizationId == destination.Id;
                Finish(row, notPending ? RowOutcome.Skipped : RowOutcome.Failed, $"The account {refusal}");
                continue;
            }
            if (defaultGroup is null)
            {
                Finish(row, RowOutcome.Failed, $"{destination.Name} has no default User Permissions group.");
                continue;
            }
            // The account gives up its number, so it waits for one of the destination's.
            if (!capacity.Covers(moved + 1))
            {
                Finish(row, RowOutcome.Failed, MovePlan.NotEnoughNumbers + ".");
                continue;
            }

            if (account.Number is { } held)
                (held.State, held.AccountId, account.Number) = (NumberState.Available, null, null);
            account.OrganizationId = destination.Id;
            account.PermissionGroupId = defaultGroup.Id;
            if (!destination.SocialMessagingEnabled)
                (account.SocialMessaging, account.RestrictIncomingSocialMessaging) = (false, false);
            moved++;
            row.AccountId = account.Id;
            Finish(row, RowOutcome.Succeeded, changes.Count == 0
                ? $"Moved to {destination.Name}; nothing else changed."
                : $"Moved to {destination.Name}: {string.Join("; ", changes.Select(c => c.Text))}.");
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    private static void Finish(BatchRow row, RowOutcome outcome, string reason)
    {
        row.Outcome = outcome;
        row.Reason = reason;
    }
}
