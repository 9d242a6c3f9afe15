using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations;

public enum ActivationState { Ready, NotFound, AlreadyUsed, Expired, Replaced, Unavailable }

/// <summary>A number the end user may pick at activation.</summary>
public sealed record NumberChoice(int Id, string E164);

/// <summary>What the public activation page shows for a link.</summary>
public sealed record ActivationOffer(
    ActivationState State,
    string? Message,
    string? Name,
    string? Username,
    string? Organization,
    string? Number,
    IReadOnlyList<NumberChoice> Choices)
{
    public bool CanActivate => State == ActivationState.Ready && (Number is not null || Choices.Count > 0);
}

/// <summary>The end of an activation attempt. On failure <see cref="Offer"/> is the page to show again.</summary>
public sealed record ActivationResult(bool Succeeded, string Message, string? Number, ActivationOffer? Offer);

/// <summary>
/// The end user's side of an invitation, used by the public /activate page without an admin sign-in. The link is
/// single use and expires; the picked number is taken with a conditional update, so two people racing for the same
/// number cannot both get it.
/// </summary>
public sealed class AccountActivation(SystemDbContextFactory factory, TimeProvider clock)
{
    public const int ChoiceCount = 5;
    public const string AlreadyUsedMessage = "This invitation has already been used. Your MultiLine account is active: open the MultiLine app and sign in.";
    public const string NotFoundMessage = "This activation link is not valid. Open the link from your invitation email again, or ask your administrator for a new invitation.";
    public const string ReplacedMessage = "A newer invitation was sent to you, so this link no longer works. Use the link in the most recent invitation email.";
    public const string NoNumbersMessage = "There is no free number in your organization right now. Ask your administrator to add numbers, then open this link again.";

    public async Task<ActivationOffer> OpenAsync(string token, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        return await OfferAsync(db, token, cancellationToken);
    }

    /// <summary>Activates the account: its own number, or <paramref name="numberId"/> picked from the offer, becomes Registered.</summary>
    public async Task<ActivationResult> ActivateAsync(string token, int? numberId, CancellationToken cancellationToken = default)
    {
        var hash = ActivationTokens.Hash(token);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateAsync(cancellationToken);
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            // First statement is a write: SQLite takes the write lock now, so the reads below cannot go stale.
            var claimed = await db.Invitations
                .Where(i => i.TokenHash == hash && i.UsedAtUtc == null && i.RevokedAtUtc == null && i.ExpiresAtUtc > now
                    && AccountStatuses.Pending.Contains(i.Account!.Status))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAtUtc, now), cancellationToken);
            if (claimed == 1)
            {
                var account = await db.Invitations.Where(i => i.TokenHash == hash).Select(i => i.Account!).SingleAsync(cancellationToken);
                var held = await db.Numbers.Where(n => n.AccountId == account.Id).Select(n => n.E164).FirstOrDefaultAsync(cancellationToken);
                string? number = held;
                if (held is not null)
                {
                    await db.Numbers.Where(n => n.AccountId == account.Id)
                        .ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Registered), cancellationToken);
                }
                else if (numberId is { } picked)
                {
                    var taken = await db.Numbers
                        .Where(n => n.Id == picked)
                        .Where(NumberRules.FreeIn(account.OrganizationId))
                        .ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Registered).SetProperty(n => n.AccountId, account.Id), cancellationToken);
                    if (taken == 1)
                        number = await db.Numbers.Where(n => n.Id == picked).Select(n => n.E164).SingleAsync(cancellationToken);
                }

                if (number is not null)
                {
                    await db.Accounts.Where(a => a.Id == account.Id)
                        .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AccountStatus.Active).SetProperty(a => a.InvitationError, (string?)null), cancellationToken);
                    // The event commits with the activation: it is sent exactly when the account became active.
                    if (await Webhooks.WebhookEvents.AccountActivatedAsync(db, account.OrganizationId, account.Id, account.Username, number, now, cancellationToken) > 0)
                        await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    return new ActivationResult(true, $"Your MultiLine account is active. Your business number is {number}.", number, null);
                }
                await transaction.RollbackAsync(cancellationToken);
                var again = await OfferAsync(db, token, cancellationToken);
                var pickedE164 = numberId is { } id ? await db.Numbers.Where(n => n.Id == id).Select(n => n.E164).FirstOrDefaultAsync(cancellationToken) : null;
                var message = pickedE164 is null
                    ? "Pick one of the numbers below."
                    : $"The number {pickedE164} was just taken by someone else. Please pick another number.";
                return new ActivationResult(false, message, null, again with { Message = message });
            }
        }

        var offer = await OfferAsync(db, token, cancellationToken);
        return new ActivationResult(false, offer.Message ?? NotFoundMessage, null, offer);
    }

    private async Task<ActivationOffer> OfferAsync(MultiLineDbContext db, string token, CancellationToken cancellationToken)
    {
        var hash = ActivationTokens.Hash(token);
        var found = await db.Invitations.AsNoTracking()
            .Where(i => i.TokenHash == hash)
            .Select(i => new
            {
                i.UsedAtUtc, i.RevokedAtUtc, i.ExpiresAtUtc,
                i.Account!.FirstName, i.Account.LastName, i.Account.Username, i.Account.Status, i.Account.OrganizationId,
                Organization = i.Account.Organization!.Name,
                Number = i.Account.Number != null ? i.Account.Number.E164 : null,
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null)
            return new ActivationOffer(ActivationState.NotFound, NotFoundMessage, null, null, null, null, []);
        var name = string.Join(' ', new[] { found.FirstName, found.LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));
        ActivationOffer Closed(ActivationState state, string message) => new(state, message, name, found.Username, found.Organization, found.Number, []);
        if (found.UsedAtUtc is not null)
            return Closed(ActivationState.AlreadyUsed, AlreadyUsedMessage);
        if (found.RevokedAtUtc is not null)
            return Closed(ActivationState.Replaced, ReplacedMessage);
        if (found.ExpiresAtUtc <= clock.GetUtcNow().UtcDateTime)
            return Closed(ActivationState.Expired, $"This invitation expired on {found.ExpiresAtUtc:d MMMM yyyy}. Ask your administrator to send you a new one.");
        if (!AccountStatuses.IsPending(found.Status))
            return Closed(ActivationState.Unavailable, $"This account is {AccountStatuses.Label(found.Status).ToLowerInvariant()} and cannot be activated with this link. Ask your administrator.");

        IReadOnlyList<NumberChoice> choices = [];
        if (found.Number is null)
            choices = await db.Numbers.AsNoTracking()
                .Where(NumberRules.FreeIn(found.OrganizationId))
                .OrderBy(n => n.E164)
                .Take(ChoiceCount)
                .Select(n => new NumberChoice(n.Id, n.E164))
                .ToListAsync(cancellationToken);
        var note = found.Number is null && choices.Count == 0 ? NoNumbersMessage : null;
        return new ActivationOffer(ActivationState.Ready, note, name, found.Username, found.Organization, found.Number, choices);
    }
}
