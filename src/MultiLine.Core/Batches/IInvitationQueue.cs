using MultiLine.Core.Accounts;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>The outcome of queueing an invitation: queued, or why not, in the admin's words.</summary>
public sealed record InvitationQueueResult(bool Queued, string? Reason);

/// <summary>
/// Queues an account's invitation in the caller's unit of work (no SaveChanges), so the invitation is written in
/// the same transaction as the change that causes it.
/// </summary>
public interface IInvitationQueue
{
    Task<InvitationQueueResult> QueueAsync(MultiLineDbContext db, Account account, CancellationToken cancellationToken);
}
