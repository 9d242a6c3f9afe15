using MultiLine.Core.Admins;

namespace MultiLine.Core.Tests.Admins;

public sealed class SignInRulesTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void TheFifthFailureLocksTheAdminOutForFiveMinutes()
    {
        var admin = new Admin { Email = "a@x", NormalizedEmail = "A@X", DisplayName = "A" };
        for (var i = 0; i < 4; i++)
            SignInRules.RecordFailure(admin, Now);
        Assert.False(SignInRules.IsLockedOut(admin, Now));

        SignInRules.RecordFailure(admin, Now);

        Assert.True(SignInRules.IsLockedOut(admin, Now.AddMinutes(4.9)));
        Assert.False(SignInRules.IsLockedOut(admin, Now.AddMinutes(5)));
    }
}
