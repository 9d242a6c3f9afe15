using MultiLine.Core.Numbers;

namespace MultiLine.Core.Tests.Numbers;

public sealed class NumberRulesTests
{
    [Theory]
    [InlineData(NumberState.Available, false, true)]
    [InlineData(NumberState.Reserved, false, false)]
    [InlineData(NumberState.Reserved, true, true)]
    [InlineData(NumberState.Assigned, true, false)]
    [InlineData(NumberState.Registered, true, false)]
    public void ACsvRowTakesOnlyAvailableNumbersWhileAnAdminMayAlsoHandOutReservedOnes(NumberState state, bool byAdmin, bool expected)
    {
        Assert.Equal(expected, NumberRules.CanBeTakenBy(state, byAdmin));
    }

    [Fact]
    public void ReleasingPutsTheNumberBackToAvailableWithoutHolder()
    {
        var number = new MultiLineNumber { E164 = "+12125550100", State = NumberState.Assigned, AccountId = 7 };

        NumberRules.Release(number);

        Assert.Equal(NumberState.Available, number.State);
        Assert.Null(number.AccountId);
    }

    [Theory]
    [InlineData(" ported ", "PORTED", null)]
    [InlineData("", null, "A reservation needs a tag, such as PORTED.")]
    [InlineData("   ", null, "A reservation needs a tag, such as PORTED.")]
    public void AReservationTagIsRequiredAndUpperCased(string tag, string? expected, string? error)
    {
        var ok = NumberRules.TryNormalizeTag(tag, out var normalized, out var message);

        Assert.Equal(error is null, ok);
        if (ok) Assert.Equal(expected, normalized);
        Assert.Equal(error, message);
    }
}
