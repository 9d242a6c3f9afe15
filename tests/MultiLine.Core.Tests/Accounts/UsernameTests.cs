using MultiLine.Core.Accounts;

namespace MultiLine.Core.Tests.Accounts;

public sealed class UsernameTests
{
    [Theory]
    [InlineData("Jane.Doe@Example.com", "jane.doe@example.com", UsernameKind.Email)]
    [InlineData("+1 (415) 555-0123", "+14155550123", UsernameKind.Phone)]
    [InlineData("0044 20 7946 0958", "+442079460958", UsernameKind.Phone)]
    public void UsernamesAreNormalizedForComparison(string input, string normalized, UsernameKind kind)
    {
        Assert.True(Username.TryParse(input, out var username, out _));
        Assert.Equal(normalized, username!.Normalized);
        Assert.Equal(kind, username.Kind);
    }

    [Theory]
    [InlineData("4155550123", "\"4155550123\" has no country code; write it as +<country code><number>, e.g. +14155550123.")]
    [InlineData("jane@", "\"jane@\" is not a valid email address.")]
    [InlineData("jane doe", "\"jane doe\" is neither an email address nor a phone number.")]
    [InlineData("", "Missing. Enter an email address or a phone number with country code.")]
    public void BadUsernamesAreRefusedWithAReason(string input, string error)
    {
        Assert.False(Username.TryParse(input, out _, out var message));
        Assert.Equal(error, message);
    }
}
