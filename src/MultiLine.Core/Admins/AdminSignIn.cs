using MultiLine.Core.Activity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Admins;

/// <summary>The outcome of a sign-in attempt. <see cref="Error"/> is what the sign-in page shows.</summary>
public sealed record SignInResult(SignedInAdmin? Admin, string? Error)
{
    public bool Succeeded => Admin is not null;
}

/// <summary>Who signed in, with what they may see. Becomes the cookie's claims.</summary>
public sealed record SignedInAdmin(int Id, string Email, string DisplayName, string RoleName, Privileges Privileges, string? ScopePath, string? ScopeName)
{
    public AdminScope Scope => new(Id, ScopePath, Privileges);
}

/// <summary>
/// Checks passwords with ASP.NET Core Identity's hasher and locks an email address out after repeated failures.
/// Each attempt first takes one of the <see cref="SignInRules.MaxFailedAttempts"/> tries with a conditional update, so
/// parallel attempts are each counted exactly once; a known and an unknown address get the same answers.
/// </summary>
public sealed class AdminSignIn(SystemDbContextFactory factory, IPasswordHasher<Admin> hasher, TimeProvider clock)
{
    public const string WrongCredentials = "The email or password is not correct.";
    public const string Disabled = "This administrator account is disabled. Ask another administrator of your organization to enable it.";

    /// <summary>
    /// One attempt, and its one entry in the activity record: signed in, failed (wrong password, unknown address, disabled),
    /// locked out (the attempt that reaches the limit) or refused while locked. An unknown address is recorded under the
    /// address typed; the password never is.
    /// </summary>
    public async Task<SignInResult> SignInAsync(string email, string password, string? clientIp = null, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        var normalized = email.Trim().ToUpperInvariant();
        var now = clock.GetUtcNow().UtcDateTime;

        if (!await TakeAttemptAsync(db, normalized, now, cancellationToken))
        {
            var until = await db.SignInThrottles.Where(t => t.NormalizedEmail == normalized).Select(t => t.LockedUntilUtc).FirstOrDefaultAsync(cancellationToken);
            var known = await db.Admins.AsNoTracking().FirstOrDefaultAsync(a => a.NormalizedEmail == normalized, cancellationToken);
            await RecordAsync(db, known, email, clientIp, now, ActivityActions.SignInLocked, "Refused: the address is locked after too many failed attempts", cancellationToken);
            return new SignInResult(null, SignInRules.LockedOutMessage((until ?? now + SignInRules.LockoutDuration) - now));
        }

        var admin = await db.Admins
            .Include(a => a.Role)
            .Include(a => a.ScopeOrganization)
            .FirstOrDefaultAsync(a => a.NormalizedEmail == normalized, cancellationToken);
        // An unknown address costs the same hashing work as a known one, so timing does not tell them apart either.
        var verification = PasswordVerificationResult.Failed;
        if (admin is null)
            hasher.VerifyHashedPassword(DummyHash.Admin, DummyHash.Value, password);
        else
            verification = hasher.VerifyHashedPassword(admin, admin.PasswordHash, password);
        if (verification == PasswordVerificationResult.Failed)
        {
            var lockedUntil = await db.SignInThrottles.Where(t => t.NormalizedEmail == normalized).Select(t => t.LockedUntilUtc).FirstOrDefaultAsync(cancellationToken);
            var reason = admin is null ? "Unknown email address" : "Wrong password";
            if (lockedUntil > now)
                await RecordAsync(db, admin, email, clientIp, now, ActivityActions.SignInLockout,
                    $"{reason}; {SignInRules.MaxFailedAttempts} failed attempts lock the address for {SignInRules.LockoutDuration.TotalMinutes:0} minutes", cancellationToken);
            else
                await RecordAsync(db, admin, email, clientIp, now, ActivityActions.SignInFailure, reason, cancellationToken);
            return new SignInResult(null, lockedUntil > now ? SignInRules.LockedOutMessage(lockedUntil.Value - now) : WrongCredentials);
        }

        await db.SignInThrottles.Where(t => t.NormalizedEmail == normalized)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Failures, 0).SetProperty(t => t.LockedUntilUtc, (DateTime?)null), cancellationToken);
        if (admin!.IsDisabled)
        {
            await RecordAsync(db, admin, email, clientIp, now, ActivityActions.SignInFailure, "The administrator is disabled", cancellationToken);
            return new SignInResult(null, Disabled);
        }
        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
            admin.PasswordHash = hasher.HashPassword(admin, password);
        admin.LastSignInAtUtc = now;
        await RecordAsync(db, admin, email, clientIp, now, ActivityActions.SignIn, null, cancellationToken);
        return new SignInResult(
            new SignedInAdmin(admin.Id, admin.Email, admin.DisplayName, admin.Role!.Name, admin.Role.Privileges, admin.ScopeOrganization?.Path, admin.ScopeOrganization?.Name),
            null);
    }

    /// <summary>
    /// Counts this attempt unless the address is locked: one conditional update, so of many parallel attempts exactly
    /// <see cref="SignInRules.MaxFailedAttempts"/> get through. The attempt that reaches the limit locks the address;
    /// a correct password then still clears it. An expired lock starts the count again.
    /// </summary>
    private static async Task<bool> TakeAttemptAsync(MultiLineDbContext db, string normalizedEmail, DateTime now, CancellationToken cancellationToken)
    {
        // The same statement on SQLite and PostgreSQL: create the counter once per address.
        await db.Database.ExecuteSqlAsync($"INSERT INTO \"SignInThrottles\" (\"NormalizedEmail\", \"Failures\") VALUES ({normalizedEmail}, 0) ON CONFLICT DO NOTHING", cancellationToken);
        var lockedUntil = now + SignInRules.LockoutDuration;
        var taken = await db.SignInThrottles
            .Where(t => t.NormalizedEmail == normalizedEmail && (t.LockedUntilUtc == null || t.LockedUntilUtc <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(t => t.Failures, t => t.LockedUntilUtc == null ? t.Failures + 1 : 1)
                .SetProperty(t => t.LockedUntilUtc, t => (t.LockedUntilUtc == null ? t.Failures + 1 : 1) >= SignInRules.MaxFailedAttempts ? lockedUntil : (DateTime?)null),
                cancellationToken);
        return taken == 1;
    }

    /// <summary>
    /// A sign-in belongs to the admin's scope organization (none for an admin of all organizations), so a scoped admin's
    /// report shows the sign-ins of admins in their subtree only; an unknown address belongs to none.
    /// </summary>
    private static async Task RecordAsync(MultiLineDbContext db, Admin? admin, string typedEmail, string? clientIp, DateTime now, string action, string? details, CancellationToken cancellationToken)
    {
        var actor = new ActivityActor(admin?.Id, admin?.DisplayName ?? typedEmail.Trim(), clientIp, ActivitySource.Portal);
        ActivityLog.Record(db, actor, now, action, admin?.ScopeOrganizationId, ActivityTargetKind.Admin,
            admin?.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), admin?.Email ?? typedEmail.Trim(), details);
        await db.SaveChangesAsync(cancellationToken);
    }

    private static class DummyHash
    {
        public static readonly Admin Admin = new() { Email = "", NormalizedEmail = "", DisplayName = "" };
        public static readonly string Value = new PasswordHasher<Admin>().HashPassword(Admin, Guid.NewGuid().ToString());
    }
}
