using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations;

/// <summary>What queuing an invitation did, with the reason in the admin's words when it did not.</summary>
public sealed record InvitationOutcome(InvitationOutcomeKind Kind, string? Reason, Invitation? Invitation, string? ActivationLink)
{
    public bool Succeeded => Kind == InvitationOutcomeKind.Queued;
}

public enum InvitationOutcomeKind
{
    /// <summary>Invitation and email written; the account is Invited.</summary>
    Queued,

    /// <summary>A rule refused it; the account is Invitation failed with the reason.</summary>
    Failed,

    /// <summary>The account needs no invitation (already active or suspended); nothing changed.</summary>
    NotApplicable,
}

/// <summary>What a caller already knows about an account it invites.</summary>
/// <param name="CapacityCovered">The caller counted free capacity for many accounts and says whether it covers this one; null: the issuer counts.</param>
/// <param name="NewAccount">The account was created in this unit of work, so it has no earlier invitations to revoke.</param>
public sealed record InvitationQueueing(bool? CapacityCovered = null, bool NewAccount = false)
{
    public static readonly InvitationQueueing Default = new();
}

/// <summary>
/// Queues an invitation for one account, for the single-account action, the import worker and "Resend invitations"
/// alike. It never saves: the caller saves the invitation, its outbox email and the account's new status in its own
/// transaction, together with the change that caused them.
/// </summary>
public sealed class InvitationIssuer(IOptions<InvitationOptions> options, IPortalLinks links, TimeProvider clock, OutboxSignal outbox)
{
    private static readonly ConditionalWeakTable<MultiLineDbContext, object> Subscribed = [];
    private static readonly ConditionalWeakTable<MultiLineDbContext, Dictionary<(int, Language), TemplateContent>> Templates = [];

    /// <summary>
    /// Checks the rules and adds the invitation and its email to <paramref name="db"/> without saving.
    /// Rules: the account is pending; its username is an email address in one of the organization's allowed domains
    /// (empty list: any); it holds a number, or its organization has a free number to keep for it. Free capacity is
    /// read from the database, so it counts neither this call's nor the caller's other unsaved additions: a caller
    /// queuing many invitations before one save must keep its own tally. Earlier unused invitations of the account
    /// become unusable (and their still-queued emails are not sent). A refusal makes the account Invitation failed and
    /// raises <c>invitation.failed</c> into <paramref name="db"/> (<see cref="InvitationFailure"/>); the event names the
    /// account by its id, so the account is saved before it is queued.
    /// </summary>
    /// <param name="db">The caller's context; <paramref name="account"/> should be tracked by it (or is added/attached).</param>
    public Task<InvitationOutcome> QueueAsync(MultiLineDbContext db, Account account, CancellationToken ct = default) =>
        QueueAsync(db, account, InvitationQueueing.Default, ct);

    /// <param name="known">What the caller already knows, so per-account reads can be skipped.</param>
    public async Task<InvitationOutcome> QueueAsync(MultiLineDbContext db, Account account, InvitationQueueing known, CancellationToken ct = default)
    {
        var entry = db.Entry(account);
        if (entry.State == EntityState.Detached)
        {
            if (account.Id == 0) db.Accounts.Add(account);
            else db.Accounts.Attach(account);
        }
        if (account.Status is AccountStatus.Active or AccountStatus.Suspended)
            return new InvitationOutcome(InvitationOutcomeKind.NotApplicable, $"{account.Username} is {AccountStatuses.Label(account.Status).ToLowerInvariant()}; it needs no invitation.", null, null);

        var organization = account.Organization
            ?? await db.Organizations.FirstOrDefaultAsync(o => o.Id == account.OrganizationId, ct);
        if (organization is null)
            return await FailAsync(db, account, "The account's organization is not in your scope.", ct);

        if (InvitationRules.Refusal(account.Username, organization) is { } refusal)
            return await RefuseAsync(db, account, refusal, known, ct);

        var number = await HeldNumberAsync(db, account, ct);
        if (number is null && known.CapacityCovered is not true)
        {
            var capacity = await NumberCapacityQueries.FreeCapacityAsync(db, organization.Id, ct);
            // A saved pending account without a number is already counted among those waiting for one.
            var alreadyCounted = entry.State != EntityState.Added && account.Id != 0
                && AccountStatuses.IsPending(entry.Property(a => a.Status).OriginalValue);
            if (known.CapacityCovered is false || !capacity.Covers(1, alreadyCounted ? 1 : 0))
                return await RefuseAsync(db, account, capacity.NotEnoughFor(organization.Name), known, ct);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (account.Id != 0 && !known.NewAccount)
        {
            var earlier = await db.Invitations.Include(i => i.EmailMessage)
                .Where(i => i.AccountId == account.Id && i.UsedAtUtc == null && i.RevokedAtUtc == null)
                .ToListAsync(ct);
            foreach (var invitation in earlier)
            {
                invitation.RevokedAtUtc = now;
                if (invitation.EmailMessage is { State: EmailState.Queued } queued)
                    queued.State = EmailState.Superseded;
            }
        }

        var (created, link) = await ComposeAsync(db, account, organization, number, now, ct);
        db.EmailMessages.Add(created.EmailMessage!);
        db.Invitations.Add(created);
        account.Status = AccountStatus.Invited;
        account.InvitationError = null;
        WakeSenderOnSave(db);
        return new InvitationOutcome(InvitationOutcomeKind.Queued, null, created, link);
    }

    /// <summary>
    /// For a bulk caller that writes its rows itself (the import worker, through <see cref="BulkRows"/>): applies the same
    /// rules as <see cref="QueueAsync(MultiLineDbContext, Account, InvitationQueueing, CancellationToken)"/> to an account
    /// created in this unit of work and already saved, and composes its invitation and email without adding anything to
    /// the context. The account's status (and error) are set; the caller writes them, then calls
    /// <see cref="AddComposedAsync"/> for the invitations.
    /// </summary>
    /// <param name="number">The number the account holds, null when none.</param>
    /// <param name="capacityCovered">Whether the caller's one capacity count for its accounts covers this one (ignored when it holds a number).</param>
    public async Task<InvitationOutcome> ComposeForNewAccountAsync(MultiLineDbContext db, Account account, Organization organization, string? number,
        bool capacityCovered, FreeCapacity counted, CancellationToken ct = default)
    {
        if (InvitationRules.Refusal(account.Username, organization) is { } refusal)
            return await FailAsync(db, account, refusal, ct);
        if (number is null && !capacityCovered)
            return await FailAsync(db, account, counted.NotEnoughFor(organization.Name), ct);
        var (created, link) = await ComposeAsync(db, account, organization, number, clock.GetUtcNow().UtcDateTime, ct);
        account.Status = AccountStatus.Invited;
        account.InvitationError = null;
        return new InvitationOutcome(InvitationOutcomeKind.Queued, null, created, link);
    }

    /// <summary>Writes invitations composed by <see cref="ComposeForNewAccountAsync"/> and their emails, set-based, in the caller's transaction; the sender wakes when the caller saves.</summary>
    public async Task AddComposedAsync(MultiLineDbContext db, IReadOnlyList<Invitation> composed, CancellationToken ct = default)
    {
        if (composed.Count == 0)
            return;
        await BulkRows.InsertAsync(db, composed.Select(i => i.EmailMessage!).ToList(), ct);
        foreach (var invitation in composed)
            invitation.EmailMessageId = invitation.EmailMessage!.Id;
        await BulkRows.InsertAsync(db, composed, ct);
        WakeSenderOnSave(db);
    }

    /// <summary>A new single-use link for the account and the email that carries it, rendered from the organization's template.</summary>
    private async Task<(Invitation Invitation, string Link)> ComposeAsync(MultiLineDbContext db, Account account, Organization organization, string? number, DateTime now, CancellationToken ct)
    {
        var template = await TemplateAsync(db, organization.Id, account.Language, ct);
        var token = ActivationTokens.NewToken();
        var link = links.Activation(token);
        var email = InvitationTemplateRenderer.Render(template, new InvitationValues(
            account.FirstName ?? "", account.LastName ?? "", account.Username,
            number ?? InvitationTemplateDefaults.NumberChosenAtActivation(account.Language), link));
        var message = EmailMessage.Queued(EmailKind.Invitation, organization.Id, account.Username,
            account.DisplayName is { Length: > 0 } name ? name : null, email.Subject, email.HtmlBody, email.TextBody, now);
        message.Account = account;
        var created = new Invitation
        {
            Account = account,
            TokenHash = ActivationTokens.Hash(token),
            Language = account.Language,
            CreatedAtUtc = now,
            ExpiresAtUtc = now.AddDays(options.Value.ExpiryDays),
            EmailMessage = message,
        };
        if (account.Id != 0)
            (message.AccountId, created.AccountId) = (account.Id, account.Id);
        return (created, link);
    }

    /// <summary>Templates do not change within one unit of work: each context reads one per organization and language.</summary>
    private static async Task<TemplateContent> TemplateAsync(MultiLineDbContext db, int organizationId, Language language, CancellationToken ct)
    {
        var cache = Templates.GetValue(db, _ => new Dictionary<(int, Language), TemplateContent>());
        if (!cache.TryGetValue((organizationId, language), out var template))
            cache[(organizationId, language)] = template = await InvitationTemplates.ResolveAsync(db, organizationId, language, ct);
        return template;
    }

    /// <summary>Wakes the sender once the caller's transaction is saved, instead of waiting for its next poll.</summary>
    internal void WakeSenderOnSave(MultiLineDbContext db)
    {
        if (Subscribed.TryGetValue(db, out _))
            return;
        Subscribed.Add(db, this);
        db.SavedChanges += (_, _) => outbox.Notify();
    }

    /// <summary>
    /// A refused invitation never makes the account worse off: one that still holds a valid invitation keeps it and its
    /// status (DOMAIN.md, "Resend never makes an account worse off"); any other becomes Invitation failed with the reason.
    /// </summary>
    private async Task<InvitationOutcome> RefuseAsync(MultiLineDbContext db, Account account, string reason, InvitationQueueing known, CancellationToken ct)
    {
        if (account.Id != 0 && !known.NewAccount && account.Status == AccountStatus.Invited)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var valid = await db.Invitations
                .Where(i => i.AccountId == account.Id && i.UsedAtUtc == null && i.RevokedAtUtc == null && i.ExpiresAtUtc > now)
                .OrderByDescending(i => i.Id)
                .Select(i => (DateTime?)i.CreatedAtUtc)
                .FirstOrDefaultAsync(ct);
            if (valid is { } sent)
                return new InvitationOutcome(InvitationOutcomeKind.Failed,
                    $"{reason} The invitation sent on {sent:d MMM yyyy} still works, so the account stays Invited.", null, null);
        }
        return await FailAsync(db, account, reason, ct);
    }

    /// <summary>The account becomes Invitation failed with the reason, and <c>invitation.failed</c> is raised in the caller's unit of work.</summary>
    private async Task<InvitationOutcome> FailAsync(MultiLineDbContext db, Account account, string reason, CancellationToken ct)
    {
        await InvitationFailure.MarkAsync(db, account, reason, clock.GetUtcNow().UtcDateTime, ct);
        return new InvitationOutcome(InvitationOutcomeKind.Failed, reason, null, null);
    }

    private static async Task<string?> HeldNumberAsync(MultiLineDbContext db, Account account, CancellationToken ct)
    {
        // A tracked number holding the account is fixed up into account.Number; avoid DbSet.Local, which scans every
        // tracked entity and makes a batch of queued invitations quadratic.
        if (account.Number is { } held)
            return held.E164;
        if (account.Id == 0)
            return null;
        return await db.Numbers.Where(n => n.AccountId == account.Id).Select(n => n.E164).FirstOrDefaultAsync(ct);
    }
}
