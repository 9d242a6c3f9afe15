using MultiLine.Core.Activity;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Admins;

/// <summary>
/// Server-side sessions behind the sign-in cookie. The cookie names a session; every request checks that the session
/// has not ended and that the admin's password, role, privileges and scope are still those it was started with, so a
/// sign-out, a role change or a disabled admin takes effect at the next request, on every instance.
/// </summary>
public sealed class AdminSessions(SystemDbContextFactory factory, TimeProvider clock)
{
    public async Task<string> StartAsync(int adminId, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        var state = await StateAsync(db, adminId, cancellationToken)
            ?? throw new InvalidOperationException($"Admin {adminId} does not exist.");
        var session = new AdminSession
        {
            Id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            AdminId = adminId,
            Fingerprint = Fingerprint(state),
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        db.AdminSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session.Id;
    }

    /// <summary>Ends the session (sign-out) and records it once: signing out of a session that already ended records nothing.</summary>
    public async Task EndAsync(string sessionId, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await factory.CreateAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ended = await db.AdminSessions.Where(s => s.Id == sessionId && s.EndedAtUtc == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAtUtc, now), cancellationToken);
        if (ended == 0)
            return;
        var admin = await db.AdminSessions.Where(s => s.Id == sessionId).Select(s => new { s.AdminId, s.Admin!.Email, s.Admin.ScopeOrganizationId }).SingleAsync(cancellationToken);
        ActivityLog.Record(db, actor, now, ActivityActions.SignOut, admin.ScopeOrganizationId, ActivityTargetKind.Admin,
            admin.AdminId.ToString(System.Globalization.CultureInfo.InvariantCulture), admin.Email, null);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>True while the session is open and the admin is as they were when it started.</summary>
    public async Task<bool> IsCurrentAsync(int adminId, string? sessionId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(sessionId))
            return false;
        await using var db = await factory.CreateAsync(cancellationToken);
        var fingerprint = await db.AdminSessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.AdminId == adminId && s.EndedAtUtc == null)
            .Select(s => s.Fingerprint)
            .FirstOrDefaultAsync(cancellationToken);
        if (fingerprint is null)
            return false;
        var state = await StateAsync(db, adminId, cancellationToken);
        return state is { IsDisabled: false } && fingerprint == Fingerprint(state);
    }

    private sealed record AdminState(string PasswordHash, int RoleId, Privileges Privileges, int? ScopeOrganizationId, string? ScopePath, bool IsDisabled);

    private static Task<AdminState?> StateAsync(MultiLineDbContext db, int adminId, CancellationToken cancellationToken) =>
        db.Admins.AsNoTracking()
            .Where(a => a.Id == adminId)
            .Select(a => new AdminState(a.PasswordHash, a.RoleId, a.Role!.Privileges, a.ScopeOrganizationId,
                a.ScopeOrganization != null ? a.ScopeOrganization.Path : null, a.IsDisabled))
            .FirstOrDefaultAsync(cancellationToken);

    private static string Fingerprint(AdminState state) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n',
        state.PasswordHash,
        state.RoleId.ToString(CultureInfo.InvariantCulture),
        ((int)state.Privileges).ToString(CultureInfo.InvariantCulture),
        state.ScopeOrganizationId?.ToString(CultureInfo.InvariantCulture) ?? "",
        state.ScopePath ?? "",
        state.IsDisabled ? "disabled" : "enabled"))));
}
