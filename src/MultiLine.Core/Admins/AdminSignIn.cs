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

/// <summary>Checks passwords with ASP.NET Core Identity's hasher and locks an admin out after repeated failures.</summary>
public sealed class AdminSignIn(SystemDbContextFactory factory, IPasswordHasher<Admin> hasher, TimeProvider clock)
{
    public const string WrongCredentials = "The email or password is not correct.";

    public async Task<SignInResult> SignInAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        var normalized = email.Trim().ToUpperInvariant();
        var admin = await db.Admins
            .Include(a => a.Role)
            .Include(a => a.ScopeOrganization)
            .FirstOrDefaultAsync(a => a.NormalizedEmail == normalized, cancellationToken);
        if (admin is null)
        {
            // Same work and words as a wrong password, so the page does not reveal which emails exist.
            hasher.VerifyHashedPassword(new Admin { Email = "", NormalizedEmail = "", DisplayName = "" }, DummyHash.Value, password);
            return new SignInResult(null, WrongCredentials);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        if (SignInRules.IsLockedOut(admin, now))
            return new SignInResult(null, LockedOutMessage(admin.LockoutEndUtc!.Value - now));

        var verification = hasher.VerifyHashedPassword(admin, admin.PasswordHash, password);
        if (verification == PasswordVerificationResult.Failed)
        {
            SignInRules.RecordFailure(admin, now);
            await db.SaveChangesAsync(cancellationToken);
            return new SignInResult(null, SignInRules.IsLockedOut(admin, now)
                ? LockedOutMessage(SignInRules.LockoutDuration)
                : WrongCredentials);
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
            admin.PasswordHash = hasher.HashPassword(admin, password);
        SignInRules.RecordSuccess(admin);
        await db.SaveChangesAsync(cancellationToken);
        return new SignInResult(
            new SignedInAdmin(admin.Id, admin.Email, admin.DisplayName, admin.Role!.Name, admin.Role.Privileges, admin.ScopeOrganization?.Path, admin.ScopeOrganization?.Name),
            null);
    }

    private static string LockedOutMessage(TimeSpan left)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(left.TotalMinutes));
        return $"Too many failed attempts. This account is locked; try again in {minutes} minute{(minutes == 1 ? "" : "s")}.";
    }

    private sealed class DummyHash
    {
        public static readonly string Value = new PasswordHasher<Admin>().HashPassword(new Admin { Email = "", NormalizedEmail = "", DisplayName = "" }, Guid.NewGuid().ToString());
    }
}
