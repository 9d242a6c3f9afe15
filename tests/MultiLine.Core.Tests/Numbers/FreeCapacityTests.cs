using MultiLine.Core.Numbers;

namespace MultiLine.Core.Tests.Numbers;

public sealed class FreeCapacityTests
{
    [Fact]
    public void FreeCapacityIsAvailableNumbersMinusPendingAccountsWithoutNumber()
    {
        var capacity = new FreeCapacity(AvailableNumbers: 120, PendingAccountsWithoutNumber: 38);

        Assert.Equal(82, capacity.Value);
        Assert.Equal("120 Available numbers, 38 pending accounts waiting for a number: free capacity 82", capacity.Describe());
    }

    [Fact]
    public void ANegativeFreeCapacityIsWordedAsAShortfall()
    {
        var capacity = new FreeCapacity(AvailableNumbers: 1, PendingAccountsWithoutNumber: 3);

        Assert.True(capacity.IsShortfall);
        Assert.Equal("1 Available number, 3 pending accounts waiting for a number: a shortfall of 2", capacity.Describe());
    }

    [Theory]
    [InlineData(10, 4, 6, 0, true)]
    [InlineData(10, 4, 7, 0, false)]
    [InlineData(3, 5, 0, 0, true)]
    [InlineData(3, 5, 1, 0, false)]
    [InlineData(5, 5, 1, 1, true)]
    [InlineData(4, 5, 1, 1, false)]
    [InlineData(10, 12, 1, 3, true)]
    [InlineData(10, 12, 2, 3, false)]
    public void EachAccountWithoutNumberNeedsOneFreeNumberCountingThoseAlreadyWaiting(int available, int waiting, int accounts, int alreadyCounted, bool expected)
    {
        Assert.Equal(expected, new FreeCapacity(available, waiting).Covers(accounts, alreadyCounted));
    }
}
