using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Invitations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Admins;

public enum SetPasswordState { Ready, NotFound, AlreadyUsed, Expired, Disabled }

/// <summary>What the public set-password page shows for a link.</summary>
public sealed record SetPasswordOffer(SetPasswordState State, string? Message, string? Name, string? Email)
{
    public bool CanSet => State == SetPasswordState.Ready;
}

/// <summary>The end of an attempt: on success the admin may sign in with <see cref="Email"/>; otherwise <see cref="Message"/> says why not.</summary>
public sealed record SetPasswordResult(bool Succeeded, string Message, string? Email, SetPasswordOffer? Offer);

/// <summary>
/// The invited administrator's side of an invitation, for the public set-password page: the link names the admin by the
/// SHA-256 of its token, works once, until it expires or a resend replaces it. The password is taken with one
/// conditional update (only while none is set), so the same link used twice at once sets it once.
/// </summary>
public sealed class AdminPasswordSetup(SystemDbContextFactory factory, IPasswordHasher<Admin> hasher, TimeProvider clock)
{
    public const string NotFoundMessage = "This link is not valid. A newer invitation may have replaced it: open the link in the most recent invitation email, or ask the administrator who invited you to resend it.";
    public const string AlreadyUsedMessage = "This link has already been used to set a password. Sign in with your email address and that password.";
    public const string ExpiredMessage = "This link has expired. Ask the administrator who invited you to resend the invitation.";
    public const string DisabledMessage = "Your administrator account is disabled. Ask another administrator of your organization to enable it.";

    public async Task<SetPasswordOffer> OpenAsync(string? token, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        return await OfferAsync(db, token, cancellationToken);
    }

    public async Task<SetPasswordResult> SetAsync(string? token, string? password, string? confirmation, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        var offer = await OfferAsync(db, token, cancellationToken);
        if (!offer.CanSet)
            return new SetPasswordResult(false, offer.Message!, null, offer);
        if (AdminPasswordRules.Check(password, confirmation, offer.Email!) is { } problem)
            return new SetPasswordResult(false, problem, null, offer);

        var hash = ActivationTokens.Hash(token!);
        var now = clock.GetUtcNow().UtcDateTime;
        var admin = await db.Admins.AsNoTracking().FirstAsync(a => a.InvitationTokenHash == hash, cancellationToken);
        var passwordHash = hasher.HashPassword(admin, password!);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var set = await db.Admins
            .Where(a => a.Id == admin.Id && a.InvitationTokenHash == hash && a.PasswordHash == "" && !a.IsDisabled && a.InvitationExpiresAtUtc > now)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.PasswordHash, passwordHash).SetProperty(a => a.PasswordSetAtUtc, now), cancellationToken);
        if (set != 1)
            return new SetPasswordResult(false, AlreadyUsedMessage, null, await OfferAsync(db, token, cancellationToken));
        ActivityLog.Record(db, new ActivityActor(admin.Id, admin.DisplayName, null, ActivitySource.Portal), now, ActivityActions.AdminPasswordSet,
            admin.ScopeOrganizationId, ActivityTargetKind.Admin, AdministratorManagement.Key(admin.Id), $"{admin.DisplayName} <{admin.Email}>",
            "Set a password with the invitation link.");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new SetPasswordResult(true, "Your password is set. Sign in with your email address and your new password.", admin.Email, null);
    }

    private async Task<SetPasswordOffer> OfferAsync(MultiLineDbContext db, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 200)
            return new SetPasswordOffer(SetPasswordState.NotFound, NotFoundMessage, null, null);
        var hash = ActivationTokens.Hash(token);
        var admin = await db.Admins.AsNoTracking()
            .Where(a => a.InvitationTokenHash == hash)
            .Select(a => new { a.DisplayName, a.Email, a.PasswordHash, a.IsDisabled, a.InvitationExpiresAtUtc })
            .FirstOrDefaultAsync(cancellationToken);
        if (admin is null)
            return new SetPasswordOffer(SetPasswordState.NotFound, NotFoundMessage, null, null);
        if (admin.PasswordHash.Length > 0)
            return new SetPasswordOffer(SetPasswordState.AlreadyUsed, AlreadyUsedMessage, admin.DisplayName, admin.Email);
        if (admin.IsDisabled)
            return new SetPasswordOffer(SetPasswordState.Disabled, DisabledMessage, admin.DisplayName, admin.Email);
        if (admin.InvitationExpiresAtUtc is not { } expires || expires <= clock.GetUtcNow().UtcDateTime)
            return new SetPasswordOffer(SetPasswordState.Expired, ExpiredMessage, admin.DisplayName, admin.Email);
        return new SetPasswordOffer(SetPasswordState.Ready, null, admin.DisplayName, admin.Email);
    }
}
