using MultiLine.Core.Accounts;
using MultiLine.Core.Imports;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Tests.Imports;

public sealed class AccountInputValidatorTests
{
    private static readonly AccountInputValidator Validator = new();

    private static readonly Organization Social = new() { Id = 1, Name = "Acme", Path = "/1/", SocialMessagingEnabled = true };
    private static readonly Organization Plain = new() { Id = 2, Name = "Plain Co", Path = "/2/" };
    private static readonly Organization Offload = new() { Id = 3, Name = "Vault", Path = "/3/", SmtpDataOffload = true };
    private static readonly PermissionGroup NoVoice = new() { Id = 1, Name = "Messaging only", Features = Features.Sms };
    private static readonly PermissionGroup Voice = new() { Id = 2, Name = "Standard", Features = Features.VoiceCalling | Features.Sms };

    private static AccountInput Valid() => new()
    {
        FirstName = "Jane", LastName = "Doe", Username = "jane@example.com", SocialMessaging = "Yes",
        MonitorCalls = "auto", MonitorSms = "on", Language = "English",
    };

    private static AccountCheck Check(AccountInput input, Organization? organization = null, PermissionGroup? group = null) =>
        Validator.Check(input, new AccountRulesContext(organization ?? Social, group ?? NoVoice));

    /// <summary>The full sentences as the admin reads them, as if the input were on row 14.</summary>
    private static string[] Messages(AccountCheck check) => check.Problems.Select(p => (p with { Row = 14 }).Text).ToArray();

    [Fact]
    public void ValidInputBecomesANormalizedDraft()
    {
        var input = Valid() with
        {
            Username = "Jane.Doe@Example.com", MultiLineNumber = "+1 (415) 555-0100", ForwardingNumber = "+44 20 7946.0958",
            MonitorCalls = "OFF", MonitorSms = "Off", RestrictIncomingSocialMessaging = "TRUE", Language = "fr",
        };

        var check = Check(input);

        Assert.Empty(check.Problems);
        Assert.Equal(
            new AccountDraft("Jane", "Doe", new Username("Jane.Doe@Example.com", "jane.doe@example.com", UsernameKind.Email), true,
                "+14155550100", MonitorCalls.Off, MonitorSms.Off, "+442079460958", true, Language.French),
            check.Draft);
        Assert.Equal("jane.doe@example.com", check.NormalizedUsername);
        Assert.Equal("+14155550100", check.MultiLineNumberE164);
    }

    [Fact]
    public void OptionalColumnsMayBeEmptyAndLanguageDefaultsToEnglish()
    {
        var check = Check(new AccountInput { Username = "+14155550123", SocialMessaging = "no", MonitorCalls = "auto", MonitorSms = "off" });

        Assert.Empty(check.Problems);
        Assert.Equal(new AccountDraft(null, null, new Username("+14155550123", "+14155550123", UsernameKind.Phone), false, null,
            MonitorCalls.Auto, MonitorSms.Off, null, false, Language.English), check.Draft);
    }

    [Fact]
    public void MonitorSmsOutsideOnOffIsReportedWithRowAndColumn()
    {
        var check = Check(Valid() with { MonitorSms = "yes" });

        Assert.Null(check.Draft);
        var problem = Assert.Single(check.Problems);
        Assert.Equal(("monitor_sms", "yes", "\"yes\" is not one of on, off."), (problem.Column, problem.Value, problem.Message));
        Assert.Equal("Row 14, monitor_sms: \"yes\" is not one of on, off.", (problem with { Row = 14 }).Text);
    }

    public static TheoryData<string, string, string> InvalidCells => new()
    {
        { nameof(AccountInput.FirstName), new string('a', 65), $"Row 14, firstname: \"{new string('a', 60)}…\" (65 characters) is too long; at most 64 characters are allowed." },
        { nameof(AccountInput.LastName), new string('b', 70), $"Row 14, lastname: \"{new string('b', 60)}…\" (70 characters) is too long; at most 64 characters are allowed." },
        { nameof(AccountInput.Username), "", "Row 14, email address or device: Missing. Enter an email address or a phone number with country code." },
        { nameof(AccountInput.Username), "jane@", "Row 14, email address or device: \"jane@\" is not a valid email address." },
        { nameof(AccountInput.Username), "jane doe", "Row 14, email address or device: \"jane doe\" is neither an email address nor a phone number." },
        { nameof(AccountInput.Username), "4155550123", "Row 14, email address or device: \"4155550123\" has no country code; write it as +<country code><number>, e.g. +14155550123." },
        { nameof(AccountInput.Username), "+1 23", "Row 14, email address or device: \"+1 23\" is not a valid phone number." },
        { nameof(AccountInput.Username), "jo\u200Bhn@example.com", "Row 14, email address or device: \"jo hn@example.com\" is not a valid email address." },
        { nameof(AccountInput.SocialMessaging), "", "Row 14, social_messaging: Missing. Enter Yes or No." },
        { nameof(AccountInput.SocialMessaging), "true", "Row 14, social_messaging: \"true\" is not one of Yes, No." },
        { nameof(AccountInput.MultiLineNumber), "4155550100", "Row 14, multiline_number: \"4155550100\" has no country code; write it as +<country code><number>, e.g. +14155550123." },
        { nameof(AccountInput.MultiLineNumber), "+1 55", "Row 14, multiline_number: \"+1 55\" is not a valid phone number." },
        { nameof(AccountInput.MonitorCalls), "", "Row 14, monitor_calls: Missing. Enter auto or off." },
        { nameof(AccountInput.MonitorCalls), "on", "Row 14, monitor_calls: \"on\" is not one of auto, off." },
        { nameof(AccountInput.MonitorSms), "", "Row 14, monitor_sms: Missing. Enter on or off." },
        { nameof(AccountInput.MonitorSms), "auto", "Row 14, monitor_sms: \"auto\" is not one of on, off." },
        { nameof(AccountInput.ForwardingNumber), "+123", "Row 14, forwarding_number: \"+123\" has 3 digits; a forwarding number has 4 to 18 digits with country code." },
        { nameof(AccountInput.ForwardingNumber), "+1234567890123456789", "Row 14, forwarding_number: \"+1234567890123456789\" has 19 digits; a forwarding number has 4 to 18 digits with country code." },
        { nameof(AccountInput.ForwardingNumber), "415 555 0199", "Row 14, forwarding_number: \"415 555 0199\" has no country code; write it as +<country code><number>, e.g. +14155550123." },
        { nameof(AccountInput.ForwardingNumber), "+1 415 CALL ME", "Row 14, forwarding_number: \"+1 415 CALL ME\" is not a phone number: use 4 to 18 digits with country code, e.g. +14155550123." },
        { nameof(AccountInput.RestrictIncomingSocialMessaging), "yes", "Row 14, restrict_incoming_social_messaging: \"yes\" is not one of true, false." },
        { nameof(AccountInput.Language), "Dutch", "Row 14, language: \"Dutch\" is not one of English, Italian, German, French, Spanish." },
    };

    [Theory]
    [MemberData(nameof(InvalidCells))]
    public void InvalidCellIsAnErrorWithItsExactMessage(string property, string value, string expected)
    {
        var input = Valid();
        typeof(AccountInput).GetProperty(property)!.SetValue(input, value);

        var check = Check(input);

        Assert.Null(check.Draft);
        Assert.Equal([expected], Messages(check));
        Assert.All(check.Problems, p => Assert.Equal(ProblemSeverity.Error, p.Severity));
    }

    public static TheoryData<string, string> ValidCells => new()
    {
        { nameof(AccountInput.FirstName), new string('a', 64) },
        { nameof(AccountInput.FirstName), $"  {new string('a', 64)}  " },
        { nameof(AccountInput.Username), "+44 20 7946 0958" },
        { nameof(AccountInput.Username), "0044 20 7946 0958" },
        { nameof(AccountInput.SocialMessaging), "NO" },
        { nameof(AccountInput.SocialMessaging), "yes" },
        { nameof(AccountInput.MonitorCalls), "Auto" },
        { nameof(AccountInput.MonitorSms), "OFF" },
        { nameof(AccountInput.ForwardingNumber), "+1234" },
        { nameof(AccountInput.ForwardingNumber), "+123456789012345678" },
        { nameof(AccountInput.ForwardingNumber), "+1 (415) 555-0199" },
        { nameof(AccountInput.ForwardingNumber), "001.415.555.0199" },
        { nameof(AccountInput.Username), "+44\u00A020\u202F7946\u200B0958" },
        { nameof(AccountInput.MultiLineNumber), "\u2060+1\u00A0415\u200D555\u20090100" },
        { nameof(AccountInput.ForwardingNumber), "+1\u00A0415\u202F555\u200B0199\uFEFF" },
        { nameof(AccountInput.MonitorSms), "\u200Bon\u00A0" },
        { nameof(AccountInput.RestrictIncomingSocialMessaging), "False" },
        { nameof(AccountInput.Language), "italian" },
        { nameof(AccountInput.Language), "DE" },
        { nameof(AccountInput.Language), "Spanish" },
        { nameof(AccountInput.Language), "es" },
        { nameof(AccountInput.Language), "" },
    };

    [Theory]
    [MemberData(nameof(ValidCells))]
    public void ValidCellPasses(string property, string value)
    {
        var input = Valid();
        typeof(AccountInput).GetProperty(property)!.SetValue(input, value);

        var check = Check(input);

        Assert.Empty(Messages(check));
        Assert.NotNull(check.Draft);
    }

    [Fact]
    public void InvisibleCharactersAroundAValueAreTrimmed()
    {
        var check = Check(Valid() with { FirstName = "\u00A0\u200BJane\uFEFF", LastName = "\u2060Doe\u202F", Username = "\u200Bjane@example.com\u00A0" });

        Assert.Empty(check.Problems);
        Assert.Equal(("Jane", "Doe", "jane@example.com"), (check.Draft!.FirstName, check.Draft.LastName, check.Draft.Username.Value));
    }

    [Fact]
    public void InvisibleCharactersInPhoneNumbersAreFormatting()
    {
        var check = Check(Valid() with
        {
            FirstName = "\u00A0Jane\u200B", Username = "+44\u00A020\u202F7946\u200B0958", MultiLineNumber = "+1\u2060415\u00A0555\u200C0100",
            ForwardingNumber = "\uFEFF+1\u00A0415\u2007555\u200D0199",
        });

        Assert.Empty(check.Problems);
        Assert.Equal(("Jane", "+442079460958", "+14155550100", "+14155550199"),
            (check.Draft!.FirstName, check.Draft.Username.Value, check.Draft.MultiLineNumber, check.Draft.ForwardingNumber));
    }

    public static TheoryData<string, string, string> CellsWithControlCharacters => new()
    {
        { nameof(AccountInput.FirstName), "Joh\0n", "Row 14, firstname: contains an invisible control character (U+0000) at position 4; retype the value." },
        { nameof(AccountInput.LastName), " Doe\u0085", "Row 14, lastname: contains an invisible control character (U+0085) at position 4; retype the value." },
        { nameof(AccountInput.Username), "ann\u007F@example.com", "Row 14, email address or device: contains an invisible control character (U+007F) at position 4; retype the value." },
        { nameof(AccountInput.MonitorSms), "on\u0001", "Row 14, monitor_sms: contains an invisible control character (U+0001) at position 3; retype the value." },
        { nameof(AccountInput.ForwardingNumber), "\u001B+1 415 555 0199", "Row 14, forwarding_number: contains an invisible control character (U+001B) at position 1; retype the value." },
        { nameof(AccountInput.Language), "English\v", "Row 14, language: contains an invisible control character (U+000B) at position 8; retype the value." },
    };

    [Theory]
    [MemberData(nameof(CellsWithControlCharacters))]
    public void ControlCharacterInACellIsItsOneErrorAndIsNotStripped(string property, string value, string expected)
    {
        var input = Valid();
        typeof(AccountInput).GetProperty(property)!.SetValue(input, value);

        var check = Check(input);

        Assert.Null(check.Draft);
        Assert.Equal([expected], Messages(check));
        Assert.Equal(value.Trim(' '), check.Problems.Single().Value);
    }

    [Theory]
    [InlineData(nameof(AccountInput.FirstName), "firstname: \"{0}…\" (10,000 characters) is too long; at most 64 characters are allowed.")]
    [InlineData(nameof(AccountInput.Username), "email address or device: \"{0}…\" (10,000 characters) is neither an email address nor a phone number.")]
    [InlineData(nameof(AccountInput.MonitorSms), "monitor_sms: \"{0}…\" (10,000 characters) is not one of on, off.")]
    [InlineData(nameof(AccountInput.ForwardingNumber), "forwarding_number: \"{0}…\" (10,000 characters) is not a phone number: use 4 to 18 digits with country code, e.g. +14155550123.")]
    [InlineData(nameof(AccountInput.Language), "language: \"{0}…\" (10,000 characters) is not one of English, Italian, German, French, Spanish.")]
    public void AHugeCellIsCutInItsMessageAndValue(string property, string expected)
    {
        var input = Valid();
        typeof(AccountInput).GetProperty(property)!.SetValue(input, new string('x', 10_000));

        var problem = Assert.Single(Check(input).Problems);

        Assert.Equal(string.Format(expected, new string('x', 60)), problem.Text);
        Assert.True(problem.Text.Length < 200);
        Assert.Equal(new string('x', 60) + "…", problem.Value);
    }

    [Fact]
    public void PhoneUsernameIsRefusedWhenTheOrganizationUsesSmtpDataOffload()
    {
        var check = Check(Valid() with { Username = "+14155550123", SocialMessaging = "No" }, Offload);

        Assert.Equal(["Row 14, email address or device: \"+14155550123\" is a phone number; organization Vault uses SMTP data offload, so the username must be an email address."],
            Messages(check));
        Assert.NotNull(Check(Valid() with { SocialMessaging = "No" }, Offload).Draft);
    }

    [Fact]
    public void SocialMessagingYesIsRefusedWhenTheOrganizationLacksIt()
    {
        var check = Check(Valid(), Plain);

        Assert.Equal(["Row 14, social_messaging: \"Yes\" is not allowed: organization Plain Co does not have social messaging."], Messages(check));
        Assert.NotNull(Check(Valid() with { SocialMessaging = "No" }, Plain).Draft);
    }

    [Fact]
    public void RestrictGivenWhileSocialMessagingIsNoIsAWarningAndIgnored()
    {
        var check = Check(Valid() with { SocialMessaging = "No", RestrictIncomingSocialMessaging = "true" });

        var problem = Assert.Single(check.Problems);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.Equal("Row 14, restrict_incoming_social_messaging: \"true\" is ignored because social_messaging is No.", (problem with { Row = 14 }).Text);
        Assert.False(check.Draft!.RestrictIncomingSocialMessaging);
    }

    [Fact]
    public void ForwardingNumberWithVoiceCallingIsAWarningNotAnError()
    {
        var check = Check(Valid() with { ForwardingNumber = "+1 415 555 0199" }, group: Voice);

        var problem = Assert.Single(check.Problems);
        Assert.Equal(ProblemSeverity.Warning, problem.Severity);
        Assert.Equal("Row 14, forwarding_number: \"+1 415 555 0199\" will not be used: permission group Standard has voice calling, and forwarding applies only to accounts without it.",
            (problem with { Row = 14 }).Text);
        Assert.Equal("+14155550199", check.Draft!.ForwardingNumber);
    }

    [Fact]
    public void EveryProblemOfARowIsReportedAtOnce()
    {
        var check = Check(new AccountInput { Username = "nobody", SocialMessaging = "maybe", MonitorCalls = "x", MonitorSms = "" });

        Assert.Equal(["email address or device", "social_messaging", "monitor_calls", "monitor_sms"], check.Problems.Select(p => p.Column));
        Assert.Equal("nobody", check.Problems[0].Value);
    }

    [Fact]
    public void ValidatingWithoutTheOrganizationContextExplainsHowToCallIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Validator.Validate(Valid()));

        Assert.Contains(nameof(AccountInputValidator.CreateContext), error.Message);
    }
}
