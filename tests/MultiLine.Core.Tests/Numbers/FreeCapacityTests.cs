using MultiLine.Core.Numbers;

namespace MultiLine.Core.Tests.Numbers;

public sealed class FreeCapacityTests
{
    [Fact]
    public void FreeCapacityIsAvailableNumbersMinusPendingAccountsWithoutNumber()
    {
        var capacity = new FreeCapacity(AvailableNumbers: 120, PendingAccountsWithoutNumber: 38);

        Assert.Equal(82, capacity.Value);
    }

    [Theory]
    [InlineData(10, 4, 6, true)]
    [InlineData(10, 4, 7, false)]
    [InlineData(3, 5, 0, true)]
    [InlineData(3, 5, 1, false)]
    public void OnboardingNeedsOneFreeNumberPerAccountWithoutNumber(int available, int waiting, int newAccounts, bool expected)
    {
        Assert.Equal(expected, new FreeCapacity(available, waiting).CanOnboard(newAccounts));
    }
}
