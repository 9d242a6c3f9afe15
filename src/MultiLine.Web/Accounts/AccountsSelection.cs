using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;

namespace MultiLine.Web.Accounts;

/// <summary>
/// What the Accounts table's bulk actions act on: the ticked rows of the page, or every account matching the filter
/// (<see cref="AllMatching"/>, counted at <see cref="MatchingCount"/> when the admin chose it; the batch reads the filter again).
/// </summary>
public sealed record AccountsSelection(IReadOnlyCollection<AccountRow> Ticked, AccountSearch? AllMatching = null, int MatchingCount = 0)
{
    public static readonly AccountsSelection None = new([]);

    public int Count => AllMatching is null ? Ticked.Count : MatchingCount;
    public bool IsEmpty => Count == 0;

    public AccountSelection ToCore() => AllMatching is { } search
        ? AccountSelection.Matching(search)
        : AccountSelection.Ticked(Ticked.Select(a => a.Id).ToList());
}
