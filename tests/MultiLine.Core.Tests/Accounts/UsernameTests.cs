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

    [Theory]
    // Letters are keypad digits or an extension to libphonenumber; in a phone column they are a typo or a spreadsheet's
    // damage (lower-case scientific notation with the + kept used to pass as some other number).
    [InlineData("+1.41555e10")]
    [InlineData("+1 800 FLOWERS")]
    [InlineData("+14155550123 ext. 12")]
    [InlineData("+14155550123x12")]
    public void PhoneNumbersWithLettersAreRefused(string input)
    {
        Assert.False(Username.TryNormalizePhone(input, out var e164, out var error));
        Assert.Null(e164);
        Assert.Equal($"\"{input}\" is not a valid phone number: use digits only, with + and the country code, e.g. +14155550123.", error);
    }

    [Fact]
    public void TheQuickEmailCheckAcceptsOnlyWhatMailAddressAcceptsUnchanged()
    {
        // Short strings over the characters where the quick check's edges are: dots, the symbols it allows, one @.
        const string alphabet = "aZ09_+-.";
        var random = new Random(20261126);
        var accepted = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var local = new string(Enumerable.Range(0, random.Next(1, 7)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var domain = new string(Enumerable.Range(0, random.Next(1, 9)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var text = local + "@" + domain;
            if (!Username.IsPlainEmail(text, local.Length))
                continue;
            accepted++;
            Assert.True(System.Net.Mail.MailAddress.TryCreate(text, out var address), text);
            Assert.Equal(text, address.Address);
        }
        Assert.True(accepted > 1_000, $"only {accepted} strings took the quick path");
        Assert.True(Username.IsPlainEmail("jane.doe+tag@sales.acme-corp.example", 12));
        Assert.False(Username.IsPlainEmail("jane..doe@acme.example", 9));
    }
}
