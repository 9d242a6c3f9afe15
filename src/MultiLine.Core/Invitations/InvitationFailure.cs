using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Persistence;
using MultiLine.Core.Webhooks;

namespace MultiLine.Core.Invitations;

/// <summary>
/// The one way an account becomes Invitation failed, whatever failed its invitation: a rule refusing it (the single
/// invite, Resend, Import &amp; invite) or the mail server refusing its email for good. The status, the reason and the
/// <c>invitation.failed</c> event (which carries the reason) go into the caller's unit of work together, so the event
/// exists exactly when the failure does and no path can set the status without raising it.
/// </summary>
public static class InvitationFailure
{
    /// <summary>
    /// Marks a saved account (tracked by <paramref name="db"/>, or written by the caller) Invitation failed and adds the
    /// event's deliveries to <paramref name="db"/>, unsaved. Returns how many deliveries it added.
    /// </summary>
    public static Task<int> MarkAsync(MultiLineDbContext db, Account account, string reason, DateTime nowUtc, CancellationToken cancellationToken)
    {
        account.Status = AccountStatus.InvitationFailed;
        account.InvitationError = reason;
        return WebhookEvents.InvitationFailedAsync(db, account.OrganizationId, account.Id, account.Username, reason, nowUtc, cancellationToken);
    }

    /// <summary>
    /// An invitation email failed for good: marks its account Invitation failed, only while it is still Invited (a result
    /// saved twice, or an account that moved on meanwhile, raises nothing), and adds the event's deliveries to
    /// <paramref name="db"/>, unsaved. Returns how many deliveries it added.
    /// </summary>
    public static async Task<int> MarkUndeliveredAsync(MultiLineDbContext db, int accountId, string reason, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var failed = await db.Accounts.Where(a => a.Id == accountId && a.Status == AccountStatus.Invited)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, AccountStatus.InvitationFailed).SetProperty(a => a.InvitationError, reason), cancellationToken);
        if (failed != 1)
            return 0;
        var account = await db.Accounts.Where(a => a.Id == accountId).Select(a => new { a.OrganizationId, a.Username }).SingleAsync(cancellationToken);
        return await WebhookEvents.InvitationFailedAsync(db, account.OrganizationId, accountId, account.Username, reason, nowUtc, cancellationToken);
    }
}
