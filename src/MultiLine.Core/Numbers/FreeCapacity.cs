using MultiLine.Core.Common;

namespace MultiLine.Core.Numbers;

/// <summary>
/// Free capacity of an organization: its Available numbers minus its pending accounts waiting for a number (each of
/// those takes one at activation). The one place this rule and its words are written (DOMAIN.md, "Words for capacity").
/// </summary>
public readonly record struct FreeCapacity(int AvailableNumbers, int PendingAccountsWithoutNumber)
{
    /// <summary>What the words mean, for a tooltip next to any capacity figure.</summary>
    public const string Explanation =
        "Available numbers: numbers of the organization that nobody holds. Pending accounts waiting for a number: accounts not yet active that hold no number; each takes one when it activates. Free capacity: the first minus the second.";

    public int Value => AvailableNumbers - PendingAccountsWithoutNumber;

    /// <summary>More pending accounts are waiting than there are Available numbers.</summary>
    public bool IsShortfall => Value < 0;

    /// <summary>
    /// Whether <paramref name="accountsWithoutNumber"/> pending accounts without a number can each be promised one.
    /// <paramref name="alreadyCounted"/> of them are already among the accounts waiting (an existing pending account being invited again).
    /// </summary>
    public bool Covers(int accountsWithoutNumber, int alreadyCounted = 0) =>
        accountsWithoutNumber <= 0 || Value + alreadyCounted >= accountsWithoutNumber;

    /// <summary>E.g. "120 Available numbers, 38 pending accounts waiting for a number: free capacity 82".</summary>
    public string Describe() =>
        $"{Words.Count(AvailableNumbers, "Available number")}, {Words.Count(PendingAccountsWithoutNumber, "pending account")} waiting for a number: " +
        (IsShortfall ? $"a shortfall of {-Value:N0}" : $"free capacity {Value:N0}");

    /// <summary>Why an account (or several) cannot be promised a number, in the admin's words.</summary>
    public string NotEnoughFor(string organization, int accountsWithoutNumber = 1) =>
        $"{organization} has no free capacity for {Words.Count(accountsWithoutNumber, "account")} without a number ({Describe()}). Add numbers to {organization} first.";

    public override string ToString() => Describe();
}
