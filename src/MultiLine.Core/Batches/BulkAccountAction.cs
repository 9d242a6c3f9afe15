using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>
/// A bulk action on existing accounts: its kind and what it needs beyond it (Move's destination, Delete's number
/// choice, bulk Edit's settings). Stored on the batch (<see cref="BatchOperation.Options"/>) so the worker does what
/// the admin confirmed.
/// </summary>
public sealed record BulkAccountAction(BatchKind Kind, int? DestinationId = null, AccountDeletion? Deletion = null, AccountSettingsChange? Settings = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static BulkAccountAction Resend() => new(BatchKind.ResendInvitations);
    public static BulkAccountAction Move(int destinationId) => new(BatchKind.Move, DestinationId: destinationId);
    public static BulkAccountAction Suspend() => new(BatchKind.Suspend);
    public static BulkAccountAction Unsuspend() => new(BatchKind.Unsuspend);
    public static BulkAccountAction Delete(AccountDeletion deletion) => new(BatchKind.Delete, Deletion: deletion);
    public static BulkAccountAction EditSettings(AccountSettingsChange settings) => new(BatchKind.EditSettings, Settings: settings);

    /// <summary>The kinds of batch that act on existing accounts.</summary>
    public static bool ActsOnAccounts(BatchKind kind) => kind is BatchKind.Move or BatchKind.ResendInvitations
        or BatchKind.Suspend or BatchKind.Unsuspend or BatchKind.Delete or BatchKind.EditSettings;

    /// <summary>The options a batch stores (null when the kind needs none).</summary>
    internal string? ToOptions() => Deletion is null && Settings is null ? null : JsonSerializer.Serialize(new StoredOptions(Deletion, Settings), Json);

    /// <summary>The action a batch was stored with.</summary>
    public static BulkAccountAction Of(BatchOperation batch)
    {
        var options = batch.Options is { } text ? JsonSerializer.Deserialize<StoredOptions>(text, Json) : null;
        return new(batch.Kind, batch.Kind == BatchKind.Move ? batch.OrganizationId : null, options?.Deletion, options?.Settings);
    }

    /// <summary>The stored choices in the admin's words, e.g. "Numbers kept Reserved (PORTED)"; null when there are none.</summary>
    public static string? Describe(BatchKind kind, string? options, string? permissionGroupName)
    {
        if (options is null)
            return null;
        var action = Of(new BatchOperation { Kind = kind, AdminName = "", Options = options });
        if (action.Deletion is { } deletion)
            return deletion.Number == NumberDisposition.Release ? "Numbers released to Available" : $"Numbers kept Reserved ({deletion.Tag?.Trim().ToUpperInvariant()})";
        return action.Settings is { } settings ? "Settings: " + string.Join("; ", settings.Describe(permissionGroupName)) : null;
    }

    /// <summary>Who a batch row's activity entry names: the admin who submitted it, acting through the batch worker.</summary>
    public static ActivityActor ActorOf(BatchOperation batch) => new(batch.AdminId, batch.AdminName, null, ActivitySource.Batch);

    private sealed record StoredOptions(AccountDeletion? Deletion, AccountSettingsChange? Settings);
}

/// <summary>
/// The accounts a bulk action acts on: the ticked rows (<see cref="AccountIds"/>), or every account matching the
/// Accounts table's filter (<see cref="Search"/>), which is evaluated again, in the admin's scope, when the batch is committed.
/// </summary>
public sealed record AccountSelection(IReadOnlyList<int>? AccountIds, AccountSearch? Search)
{
    public static AccountSelection Ticked(IReadOnlyList<int> accountIds) => new(accountIds, null);
    public static AccountSelection Matching(AccountSearch search) => new(null, search);

    public bool IsFilter => Search is not null;

    /// <summary>The selected accounts as the scoped context sees them now.</summary>
    public IQueryable<Account> Query(MultiLineDbContext scopedDb)
    {
        if (Search is { } search)
            return AccountDirectory.Filtered(scopedDb, search);
        var ids = AccountIds ?? [];
        return scopedDb.Accounts.AsNoTracking().Where(a => ids.Contains(a.Id));
    }
}

/// <summary>
/// The selection counted before the admin confirms: how many accounts, in which states, and what the action would do
/// with them (how many invitations a resend sends and how many it refuses).
/// </summary>
public sealed record AccountSelectionSummary(int Total, int Pending, int PendingWithoutNumber, int Active, int Suspended, bool SpansUnrelatedOrganizations = false)
{
    /// <summary>Resend sends one invitation per pending account; active and suspended accounts are refused (skipped).</summary>
    public int InvitationsToSend => Pending;
    public int InvitationsRefused => Active + Suspended;

    public static async Task<AccountSelectionSummary> CountAsync(MultiLineDbContext scopedDb, AccountSelection selection, CancellationToken cancellationToken = default)
    {
        var groups = await selection.Query(scopedDb)
            .GroupBy(a => new { a.Status, HasNumber = a.Number != null })
            .Select(g => new { g.Key.Status, g.Key.HasNumber, Count = g.Count() })
            .ToListAsync(cancellationToken);
        // A batch belongs to one organization tree (its report and its scope follow that organization).
        var paths = await selection.Query(scopedDb).Select(a => a.Organization!.Path).Distinct().ToListAsync(cancellationToken);
        int Sum(Func<AccountStatus, bool> status, bool? hasNumber = null) =>
            groups.Where(g => status(g.Status) && (hasNumber is null || g.HasNumber == hasNumber)).Sum(g => g.Count);
        return new(
            groups.Sum(g => g.Count),
            Sum(AccountStatuses.IsPending),
            Sum(AccountStatuses.IsPending, hasNumber: false),
            Sum(s => s == AccountStatus.Active),
            Sum(s => s == AccountStatus.Suspended),
            paths.Count > 1 && AccountBatchSubmission.CommonOrganization(paths) is null);
    }

    /// <summary>What the action will do with these accounts, in the admin's words, for the confirmation.</summary>
    public string Describe(BatchKind kind) => kind switch
    {
        BatchKind.ResendInvitations =>
            $"{Words.Count(InvitationsToSend, "invitation")} will be sent (earlier links stop working)."
            + (InvitationsRefused > 0 ? $" {Words.Count(InvitationsRefused, "account")} {Words.Is(InvitationsRefused)} active or suspended and will be refused." : "")
            + (PendingWithoutNumber > 0 ? $" {Words.Count(PendingWithoutNumber, "pending account")} without a number each need free capacity; a row that cannot get one fails with the reason." : ""),
        BatchKind.Move => $"{Words.Count(Pending, "pending account")} can move; active and suspended accounts are skipped.",
        BatchKind.Suspend => $"{Words.Count(Total - Suspended, "account")} will be suspended (they keep their numbers)."
            + (Suspended > 0 ? $" {Words.Count(Suspended, "account")} {Words.Is(Suspended)} already suspended and will be skipped." : ""),
        BatchKind.Unsuspend => $"{Words.Count(Suspended, "account")} will return to the status they had before."
            + (Total - Suspended > 0 ? $" {Words.Count(Total - Suspended, "account")} {Words.Is(Total - Suspended)} not suspended and will be skipped." : ""),
        BatchKind.Delete => $"{Words.Count(Total, "account")} will be deleted, with their invitations. This cannot be undone.",
        BatchKind.EditSettings => $"{Words.Count(Total, "account")} will get the settings below, under the rules of their organization.",
        _ => "",
    };
}
