using MultiLine.Core.Numbers;

namespace MultiLine.Core.Tests.Numbers;

public sealed class NumberRulesTests
{
    [Theory]
    [InlineData(NumberState.Available, true, false, null)]
    [InlineData(NumberState.Reserved, true, false, "\"+1\" is reserved (PORTED); only an admin can hand out a reserved number, from the single-account form.")]
    [InlineData(NumberState.Reserved, true, true, null)]
    [InlineData(NumberState.Assigned, true, true, "\"+1\" is already assigned to another account.")]
    [InlineData(NumberState.Registered, true, true, "\"+1\" is already assigned to another account.")]
    [InlineData(NumberState.Available, false, true, "\"+1\" is allocated to another organization.")]
    public void ACsvRowTakesOnlyAvailableNumbersOfItsTreeWhileAnAdminMayAlsoHandOutReservedOnes(NumberState state, bool owned, bool byAdmin, string? refusal)
    {
        Assert.Equal(refusal, NumberRules.Refusal("\"+1\"", state, "PORTED", owned, byAdmin));
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
