using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

/// <summary>Everything the account panel and <c>GET /api/v1/accounts/{id}</c> show about one account.</summary>
public sealed record AccountDetails(
    int Id, string? FirstName, string? LastName, string Username, int OrganizationId, string Organization,
    int PermissionGroupId, string PermissionGroup, AccountStatus Status, AccountStatus? StatusBeforeSuspension, string? InvitationError,
    bool SocialMessaging, bool RestrictIncomingSocialMessaging, MonitorCalls MonitorCalls, MonitorSms MonitorSms, string? ForwardingNumber,
    Language Language, DateTime CreatedAtUtc, AccountNumber? Number,
    IReadOnlyList<AccountInvitation> Invitations, IReadOnlyList<AccountBatch> Batches, IReadOnlyList<AccountActivity> Activity,
    IReadOnlyList<AccountHistoryEvent> History)
{
    public string Name => string.Join(' ', new[] { FirstName, LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));

    /// <summary>The account's values as the edit form and the CSV write them, so an edit starts from what is stored.</summary>
    public AccountInput ToInput() => AccountInputs.Stored(FirstName, LastName, Username, SocialMessaging, RestrictIncomingSocialMessaging,
        Number?.E164, MonitorCalls, MonitorSms, ForwardingNumber, Language);
}

public sealed record AccountNumber(string E164, NumberState State);

/// <summary>One invitation: when it was made, its email's delivery (with the SMTP reply when it failed), and its use.</summary>
public sealed record AccountInvitation(
    int Id, DateTime CreatedAtUtc, DateTime ExpiresAtUtc, DateTime? UsedAtUtc, DateTime? RevokedAtUtc,
    EmailState? Delivery, int Attempts, string? DeliveryError, DateTime? SentAtUtc)
{
    public string State(DateTime nowUtc) =>
        UsedAtUtc is not null ? "Activated"
        : RevokedAtUtc is not null ? "Replaced by a newer invitation"
        : Delivery == EmailState.Failed ? "Delivery failed"
        : ExpiresAtUtc <= nowUtc ? "Expired"
        : Delivery == EmailState.Queued ? "Queued"
        : "Sent, waiting for activation";
}

/// <summary>A batch row that created or acted on the account.</summary>
public sealed record AccountBatch(int BatchId, BatchKind Kind, string AdminName, string? FileName, DateTime CreatedAtUtc, int RowNumber, RowOutcome Outcome, string? Reason, DateTime? ProcessedAtUtc);

public sealed record AccountActivity(DateTime AtUtc, string Action, string AdminName, string? Details, ActivitySource Source, string? ClientIp);

/// <summary>One line of the status history, composed from what is stored (see docs/adr-account-life.md).</summary>
public sealed record AccountHistoryEvent(DateTime AtUtc, string What, string? Detail, string? By, int? BatchId);

/// <summary>Reads one account with its invitations, batches and activity, through the admin's scoped context.</summary>
public static class AccountPanelQueries
{
    public const int MaxListed = 50;

    /// <summary>The account, or null when it does not exist or lies outside the context's scope (the same answer).</summary>
    public static async Task<AccountDetails?> LoadAsync(MultiLineDbContext db, int accountId, CancellationToken cancellationToken = default)
    {
        var a = await db.Accounts.AsNoTracking().Where(x => x.Id == accountId)
            .Select(x => new
            {
                x.Id, x.FirstName, x.LastName, x.Username, x.OrganizationId, Organization = x.Organization!.Name,
                x.PermissionGroupId, PermissionGroup = x.PermissionGroup!.Name, x.Status, x.StatusBeforeSuspension, x.InvitationError,
                x.SocialMessaging, x.RestrictIncomingSocialMessaging, x.MonitorCalls, x.MonitorSms, x.ForwardingNumber, x.Language, x.CreatedAtUtc,
                Number = x.Number != null ? new AccountNumber(x.Number.E164, x.Number.State) : null,
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (a is null)
            return null;

        var invitations = await db.Invitations.AsNoTracking().Where(i => i.AccountId == accountId)
            .OrderByDescending(i => i.CreatedAtUtc).ThenByDescending(i => i.Id).Take(MaxListed)
            .Select(i => new AccountInvitation(i.Id, i.CreatedAtUtc, i.ExpiresAtUtc, i.UsedAtUtc, i.RevokedAtUtc,
                i.EmailMessage != null ? i.EmailMessage.State : null, i.EmailMessage != null ? i.EmailMessage.Attempts : 0,
                i.EmailMessage != null ? i.EmailMessage.LastError : null, i.EmailMessage != null ? i.EmailMessage.SentAtUtc : null))
            .ToListAsync(cancellationToken);

        // Rows carry no scope of their own: the join on the (scoped) batches keeps out another organization's batch.
        var batches = await (
                from r in db.BatchRows.AsNoTracking()
                where r.AccountId == accountId || r.TargetAccountId == accountId
                join b in db.Batches on r.BatchOperationId equals b.Id
                orderby b.CreatedAtUtc descending, b.Id descending
                select new AccountBatch(b.Id, b.Kind, b.AdminName, b.FileName, b.CreatedAtUtc, r.RowNumber, r.Outcome, r.Reason, r.ProcessedAtUtc))
            .Take(MaxListed)
            .ToListAsync(cancellationToken);

        var key = AccountLifecycle.Key(accountId);
        var activity = await db.ActivityEntries.AsNoTracking()
            .Where(e => e.TargetKind == ActivityTargetKind.Account && e.TargetId == key)
            .OrderByDescending(e => e.AtUtc).ThenByDescending(e => e.Id).Take(MaxListed)
            .Select(e => new AccountActivity(e.AtUtc, e.Action, e.AdminName, e.Details, e.Source, e.ClientIp))
            .ToListAsync(cancellationToken);

        var history = History(a.CreatedAtUtc, invitations, batches, activity);
        return new AccountDetails(a.Id, a.FirstName, a.LastName, a.Username, a.OrganizationId, a.Organization,
            a.PermissionGroupId, a.PermissionGroup, a.Status, a.StatusBeforeSuspension, a.InvitationError, a.SocialMessaging,
            a.RestrictIncomingSocialMessaging, a.MonitorCalls, a.MonitorSms, a.ForwardingNumber, a.Language, a.CreatedAtUtc, a.Number,
            invitations, batches, activity, history);
    }

    /// <summary>
    /// The status history, newest first: the batch that created the account (or "Added" for the single form), each
    /// invitation (queued, sent or failed with the server's reply, replaced, activated), the batches that acted on it
    /// (moves, resends) and the audited edits, suspensions and unsuspensions.
    /// </summary>
    public static IReadOnlyList<AccountHistoryEvent> History(DateTime createdAtUtc, IReadOnlyList<AccountInvitation> invitations,
        IReadOnlyList<AccountBatch> batches, IReadOnlyList<AccountActivity> activity)
    {
        var events = new List<AccountHistoryEvent>();
        var creator = batches.Where(b => b.Kind is BatchKind.Import or BatchKind.ImportAndInvite && b.Outcome == RowOutcome.Succeeded).MinBy(b => b.CreatedAtUtc);
        events.Add(creator is null
            ? new(createdAtUtc, "Added", null, null, null)
            : new(createdAtUtc, $"Imported by batch #{creator.BatchId}", creator.FileName is { } file ? $"{file}, row {creator.RowNumber}" : null, creator.AdminName, creator.BatchId));
        foreach (var b in batches.Where(b => b != creator && b.ProcessedAtUtc is not null))
            events.Add(new(b.ProcessedAtUtc!.Value, $"{BatchStates.Label(b.Kind)}: {b.Outcome}", b.Reason, b.AdminName, b.BatchId));
        foreach (var i in invitations)
        {
            events.Add(new(i.CreatedAtUtc, "Invitation queued", $"Link valid until {i.ExpiresAtUtc:yyyy-MM-dd HH:mm} UTC", null, null));
            if (i.SentAtUtc is { } sent)
                events.Add(new(sent, "Invitation sent", null, null, null));
            if (i.Delivery == EmailState.Failed)
                events.Add(new(i.CreatedAtUtc, "Invitation failed", i.DeliveryError, null, null));
            if (i.RevokedAtUtc is { } revoked)
                events.Add(new(revoked, "Invitation replaced by a newer one", null, null, null));
            if (i.UsedAtUtc is { } used)
                events.Add(new(used, "Activated", "The user activated the account with this invitation.", null, null));
        }
        // Creation and invitations have events of their own above; a downloaded email changes nothing.
        foreach (var e in activity.Where(e => e.Action is not (ActivityActions.AccountCreate or ActivityActions.AccountInvite or ActivityActions.OutboxMessageDownload)))
            events.Add(new(e.AtUtc, ActivityActions.Label(e.Action), e.Details, e.Source == ActivitySource.Api ? $"{e.AdminName} (API)" : e.AdminName, null));
        return events.OrderByDescending(e => e.AtUtc).ToList();
    }
}
