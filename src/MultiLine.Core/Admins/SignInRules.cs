namespace MultiLine.Core.Admins;

/// <summary>Lockout after repeated wrong passwords.</summary>
public static class SignInRules
{
    public const int MaxFailedAttempts = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(5);

    public static bool IsLockedOut(Admin admin, DateTime nowUtc) => admin.LockoutEndUtc > nowUtc;

    public static void RecordFailure(Admin admin, DateTime nowUtc)
    {
        admin.AccessFailedCount++;
        if (admin.AccessFailedCount >= MaxFailedAttempts)
        {
            admin.LockoutEndUtc = nowUtc + LockoutDuration;
            admin.AccessFailedCount = 0;
        }
    }

    public static void RecordSuccess(Admin admin)
    {
        admin.AccessFailedCount = 0;
        admin.LockoutEndUtc = null;
    }
}
