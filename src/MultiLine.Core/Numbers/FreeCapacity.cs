namespace MultiLine.Core.Numbers;

/// <summary>
/// Free capacity of an organization: its Available numbers minus its pending accounts that hold no number
/// (each of those takes one at activation). The one place this rule is written.
/// </summary>
public readonly record struct FreeCapacity(int AvailableNumbers, int PendingAccountsWithoutNumber)
{
    public int Value => AvailableNumbers - PendingAccountsWithoutNumber;

    /// <summary>Whether <paramref name="accountsWithoutNumber"/> more accounts can each be promised a number.</summary>
    public bool CanOnboard(int accountsWithoutNumber) => accountsWithoutNumber <= 0 || accountsWithoutNumber <= Value;

    public override string ToString() => $"{Math.Max(Value, 0)} available";
}
