using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>
/// The accounts a group of an account batch (resend, update, bulk edit) acts on, read once for the group with their
/// numbers, and the one wording for a row whose account was deleted meanwhile.
/// </summary>
public static class BatchRowTargets
{
    public const string Gone = "The account no longer exists.";

    /// <summary>The rows' target accounts by id, tracked so the handler's changes are saved with the group.</summary>
    public static Task<Dictionary<int, Account>> LoadAsync(MultiLineDbContext db, IReadOnlyList<BatchRow> rows, CancellationToken cancellationToken)
    {
        var ids = rows.Select(r => r.TargetAccountId!.Value).ToArray();
        return db.Accounts.Include(a => a.Number).Where(a => ids.Contains(a.Id)).ToDictionaryAsync(a => a.Id, cancellationToken);
    }

    /// <summary>
    /// The row's account, with the row naming it and the number it holds; or false, the row failed because the account is gone.
    /// </summary>
    public static bool TryTake(this IReadOnlyDictionary<int, Account> accounts, BatchRow row, out Account account)
    {
        if (!accounts.TryGetValue(row.TargetAccountId!.Value, out account!))
        {
            (row.Outcome, row.Reason) = (RowOutcome.Failed, Gone);
            return false;
        }
        row.AccountId = account.Id;
        row.Number = account.Number?.E164;
        return true;
    }
}
