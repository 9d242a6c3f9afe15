namespace MultiLine.Core.Admins;

/// <summary>Lockout after repeated wrong passwords.</summary>
public static class SignInRules
{
    public const int MaxFailedAttempts = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(5);

    public static string LockedOutMessage(TimeSpan left)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(left.TotalMinutes));
        return $"Too many failed attempts. This account is locked; try again in {minutes} minute{(minutes == 1 ? "" : "s")}.";
    }
}
