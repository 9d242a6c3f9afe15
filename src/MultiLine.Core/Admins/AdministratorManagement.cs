using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Net.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MultiLine.Core.Activity;
using MultiLine.Core.Common;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Admins;

/// <summary>Settings of the "Administrators" section.</summary>
public sealed class AdministratorOptions
{
    public const string Section = "Administrators";

    /// <summary>Days a set-password link stays valid.</summary>
    [Range(1, 90)]
    public int InvitationExpiryDays { get; set; } = 7;
}

/// <summary>An administrator as the Administrators page lists them.</summary>
public sealed record AdministratorRow(
    int Id, string Name, string Email, int RoleId, string Role, Privileges Privileges, int? ScopeOrganizationId, string Scope,
    AdminStatus Status, DateTime? InvitedAtUtc, DateTime? InvitationExpiresAtUtc, DateTime? LastSignInAtUtc);

public sealed record AdministratorFilter(string? Search = null, AdminStatus? Status = null);

/// <summary>Who to invite: their name and email, the role and the scope (null: all organizations).</summary>
public sealed record NewAdministrator(string Name, string Email, int RoleId, int? ScopeOrganizationId);

/// <summary>
/// Lists, invites, re-invites, disables, enables and re-roles administrators, for the Administrators page and the API.
/// The caller is the scope of the context they pass: admins outside it do not exist for them, and nobody gives a role or a
/// scope beyond their own (<see cref="AdminRules"/>). A change of role, scope or the disabled flag changes the session
/// fingerprint (<see cref="AdminSessions"/>), so it takes effect at the admin's next request. Every change records one
/// activity entry in the same transaction; invitation emails go through the outbox in it too.
/// </summary>
public sealed class AdministratorManagement(TimeProvider clock, IPortalLinks links, IOptions<AdministratorOptions> options, InvitationIssuer issuer)
{
    public const int MaxNameLength = 200;
    public const string EmailInUse = "An administrator with this email address already exists.";
    public const string AlreadySetPassword = "This administrator has already set a password; there is no invitation to resend.";

    /// <summary>The admins the context's scope may see: all of them for a scope of all organizations, else those scoped inside it.</summary>
    public static IQueryable<Admin> Visible(MultiLineDbContext db) => db.Scope.SeesAllOrganizations
        ? db.Admins
        : db.Admins.Where(a => a.ScopeOrganizationId != null && db.Organizations.Select(o => o.Id).Contains(a.ScopeOrganizationId.Value));

    public static string Key(int adminId) => adminId.ToString(CultureInfo.InvariantCulture);

    public async Task<IReadOnlyList<AdministratorRow>> ListAsync(MultiLineDbContext db, AdministratorFilter filter, CancellationToken cancellationToken = default)
    {
        var query = Visible(db).AsNoTracking();
        if (TextSearch.ContainsPattern(filter.Search) is { } pattern)
            query = query.Where(a => EF.Functions.Like(a.DisplayName.ToLower(), pattern, TextSearch.Escape)
                || EF.Functions.Like(a.Email.ToLower(), pattern, TextSearch.Escape));
        query = filter.Status switch
        {
            AdminStatus.Disabled => query.Where(a => a.IsDisabled),
            AdminStatus.Invited => query.Where(a => !a.IsDisabled && a.PasswordHash == ""),
            AdminStatus.Active => query.Where(a => !a.IsDisabled && a.PasswordHash != ""),
            _ => query,
        };
        return await Rows(query.OrderBy(a => a.DisplayName).ThenBy(a => a.Id)).ToListAsync(cancellationToken);
    }

    public Task<AdministratorRow?> GetAsync(MultiLineDbContext db, int id, CancellationToken cancellationToken = default) =>
        Rows(Visible(db).AsNoTracking().Where(a => a.Id == id)).FirstOrDefaultAsync(cancellationToken);

    private static IQueryable<AdministratorRow> Rows(IQueryable<Admin> admins) => admins.Select(a => new AdministratorRow(
        a.Id, a.DisplayName, a.Email, a.RoleId, a.Role!.Name, a.Role.Privileges, a.ScopeOrganizationId,
        a.ScopeOrganizationId == null ? "All organizations" : a.ScopeOrganization!.Name,
        a.IsDisabled ? AdminStatus.Disabled : a.PasswordHash == "" ? AdminStatus.Invited : AdminStatus.Active,
        a.InvitedAtUtc, a.InvitationExpiresAtUtc, a.LastSignInAtUtc));

    /// <summary>Adds an administrator without a password and queues the email with their set-password link.</summary>
    public async Task<ManagementResult> InviteAsync(MultiLineDbContext db, NewAdministrator input, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        var name = (input.Name ?? "").Trim();
        var email = (input.Email ?? "").Trim();
        if (name.Length == 0)
            return ManagementResult.Invalid("Enter the administrator's name.");
        if (name.Length > MaxNameLength)
            return ManagementResult.Invalid($"A name has at most {MaxNameLength} characters.");
        if (!IsEmail(email))
            return ManagementResult.Invalid($"\"{email}\" is not an email address.");
        var normalized = email.ToUpperInvariant();
        if (await db.Admins.AnyAsync(a => a.NormalizedEmail == normalized, cancellationToken))
            return ManagementResult.Conflict(EmailInUse);
        var (role, scope, refused) = await ResolveAsync(db, input.RoleId, input.ScopeOrganizationId, cancellationToken);
        if (refused is not null)
            return refused;

        var admin = new Admin { Email = email, NormalizedEmail = normalized, DisplayName = name, RoleId = role!.Id, ScopeOrganizationId = scope?.Id };
        var now = Now;
        var token = IssueToken(admin, now);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Admins.Add(admin);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another admin with this email was added meanwhile: the unique index says so.
            return ManagementResult.Conflict(EmailInUse);
        }
        QueueEmail(db, admin, scope?.Name, actor.AdminName, token, now);
        ActivityLog.Record(db, actor, now, ActivityActions.AdminInvite, admin.ScopeOrganizationId, ActivityTargetKind.Admin, Key(admin.Id),
            $"{admin.DisplayName} <{admin.Email}>", $"Role: {role.Name}; Scope: {scope?.Name ?? "All organizations"}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ManagementResult.Done($"{admin.DisplayName} is invited: an email with a link to set a password is on its way to {admin.Email}.", admin.Id);
    }

    /// <summary>A new link for an admin who has not set a password yet; the previous link stops working.</summary>
    public async Task<ManagementResult> ResendAsync(MultiLineDbContext db, int id, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        var admin = await Visible(db).Include(a => a.ScopeOrganization).FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (admin is null)
            return ManagementResult.NotFound(AdminRules.AdminNotFound);
        if (admin.PasswordHash.Length > 0)
            return ManagementResult.Conflict(AlreadySetPassword);
        if (admin.IsDisabled)
            return ManagementResult.Conflict("This administrator is disabled. Enable them before resending the invitation.");
        var now = Now;
        var token = IssueToken(admin, now);
        QueueEmail(db, admin, admin.ScopeOrganization?.Name, actor.AdminName, token, now);
        ActivityLog.Record(db, actor, now, ActivityActions.AdminResend, admin.ScopeOrganizationId, ActivityTargetKind.Admin, Key(admin.Id),
            $"{admin.DisplayName} <{admin.Email}>", "A new set-password link was sent; the previous one no longer works.");
        await db.SaveChangesAsync(cancellationToken);
        return ManagementResult.Done($"A new invitation is on its way to {admin.Email}. The previous link no longer works.", admin.Id);
    }

    /// <summary>Disables or enables an admin. A disabled admin's sessions and API tokens stop at their next request.</summary>
    public async Task<ManagementResult> SetDisabledAsync(MultiLineDbContext db, int id, bool disabled, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        var admin = await Visible(db).FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (admin is null)
            return ManagementResult.NotFound(AdminRules.AdminNotFound);
        if (disabled && admin.Id == db.Scope.AdminId)
            return ManagementResult.NotAllowed(AdminRules.CannotDisableYourself);
        if (await RefuseRoleOfAsync(db, admin, cancellationToken) is { } refused)
            return refused;
        if (admin.IsDisabled == disabled)
            return ManagementResult.Done($"{admin.DisplayName} is already {(disabled ? "disabled" : "enabled")}.", admin.Id);
        admin.IsDisabled = disabled;
        ActivityLog.Record(db, actor, Now, disabled ? ActivityActions.AdminDisable : ActivityActions.AdminEnable, admin.ScopeOrganizationId,
            ActivityTargetKind.Admin, Key(admin.Id), $"{admin.DisplayName} <{admin.Email}>",
            disabled ? "Status: enabled → disabled" : "Status: disabled → enabled");
        await db.SaveChangesAsync(cancellationToken);
        return ManagementResult.Done(disabled
            ? $"{admin.DisplayName} is disabled: their sessions and API tokens stop working at their next request."
            : $"{admin.DisplayName} is enabled again.", admin.Id);
    }

    /// <summary>Gives an admin another role and scope (null: all organizations). Takes effect at their next request.</summary>
    public async Task<ManagementResult> ChangeAsync(MultiLineDbContext db, int id, int roleId, int? scopeOrganizationId, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        var admin = await Visible(db).Include(a => a.Role).Include(a => a.ScopeOrganization).FirstOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (admin is null)
            return ManagementResult.NotFound(AdminRules.AdminNotFound);
        if (admin.RoleId == roleId && admin.ScopeOrganizationId == scopeOrganizationId)
            return ManagementResult.Done($"{admin.DisplayName} is unchanged.", admin.Id);
        if (admin.Id == db.Scope.AdminId)
            return ManagementResult.NotAllowed(AdminRules.NotYourself);
        if (await RefuseRoleOfAsync(db, admin, cancellationToken) is { } notYours)
            return notYours;
        var (role, scope, refused) = await ResolveAsync(db, roleId, scopeOrganizationId, cancellationToken);
        if (refused is not null)
            return refused;

        var changes = new List<string>();
        if (admin.RoleId != role!.Id)
            changes.Add($"Role: {admin.Role!.Name} → {role.Name}");
        if (admin.ScopeOrganizationId != scope?.Id)
            changes.Add($"Scope: {admin.ScopeOrganization?.Name ?? "All organizations"} → {scope?.Name ?? "All organizations"}");
        admin.RoleId = role.Id;
        admin.Role = role;
        admin.ScopeOrganizationId = scope?.Id;
        admin.ScopeOrganization = scope;
        ActivityLog.Record(db, actor, Now, ActivityActions.AdminChange, admin.ScopeOrganizationId, ActivityTargetKind.Admin, Key(admin.Id),
            $"{admin.DisplayName} <{admin.Email}>", string.Join("; ", changes));
        await db.SaveChangesAsync(cancellationToken);
        return ManagementResult.Done($"{admin.DisplayName} now has the role {role.Name} for {scope?.Name ?? "all organizations"}; it takes effect at their next request.", admin.Id);
    }

    /// <summary>The role and scope to give, or why they cannot be given by the context's admin.</summary>
    private static async Task<(Role? Role, Organizations.Organization? Scope, ManagementResult? Refused)> ResolveAsync(
        MultiLineDbContext db, int roleId, int? scopeOrganizationId, CancellationToken cancellationToken)
    {
        var role = await db.Roles.FirstOrDefaultAsync(r => r.Id == roleId, cancellationToken);
        if (role is null)
            return (null, null, ManagementResult.Invalid(AdminRules.RoleNotFound));
        if (AdminRules.RefuseRole(db.Scope, role.Name, role.Privileges) is { } escalation)
            return (null, null, ManagementResult.NotAllowed(escalation));
        Organizations.Organization? scope = null;
        if (scopeOrganizationId is { } organizationId)
        {
            // The organizations' filter leaves out what is outside the caller's scope.
            scope = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
            if (scope is null)
                return (null, null, ManagementResult.Invalid(AdminRules.ScopeNotFound));
        }
        if (AdminRules.RefuseScope(db.Scope, scope?.Path) is { } outside)
            return (null, null, ManagementResult.NotAllowed(outside));
        return (role, scope, null);
    }

    /// <summary>An admin whose role holds privileges the caller lacks is not the caller's to change.</summary>
    private static async Task<ManagementResult?> RefuseRoleOfAsync(MultiLineDbContext db, Admin admin, CancellationToken cancellationToken)
    {
        var role = admin.Role ?? await db.Roles.AsNoTracking().FirstAsync(r => r.Id == admin.RoleId, cancellationToken);
        return AdminRules.Missing(db.Scope, role.Privileges) is var missing && missing != Privileges.None
            ? ManagementResult.NotAllowed($"You cannot change {admin.DisplayName}: their role \"{role.Name}\" holds privileges you do not have ({AdminRules.Describe(missing)}).")
            : null;
    }

    private string IssueToken(Admin admin, DateTime now)
    {
        var token = ActivationTokens.NewToken();
        admin.InvitationTokenHash = ActivationTokens.Hash(token);
        admin.InvitationExpiresAtUtc = now.AddDays(options.Value.InvitationExpiryDays);
        admin.InvitedAtUtc ??= now;
        return token;
    }

    private void QueueEmail(MultiLineDbContext db, Admin admin, string? scopeName, string invitedBy, string token, DateTime now)
    {
        var link = links.AdminSetPassword(token);
        var expires = admin.InvitationExpiresAtUtc!.Value.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var scope = scopeName ?? "all organizations";
        var subject = "You are invited to administer MultiLine Portal";
        var text = $"Hello {admin.DisplayName},\n\n{invitedBy} invited you to administer MultiLine Portal for {scope}.\n\n"
            + $"Set your password with this link (it works once, until {expires}):\n{link}\n\n"
            + $"Then sign in with {admin.Email} and your new password.\n\nMultiLine Portal";
        static string e(string text) => WebUtility.HtmlEncode(text);
        var html = "<div style=\"font-family:Arial,Helvetica,sans-serif;color:#1f2937\">"
            + $"<p>Hello {e(admin.DisplayName)},</p><p>{e(invitedBy)} invited you to administer MultiLine Portal for <strong>{e(scope)}</strong>.</p>"
            + $"<p><a href=\"{e(link)}\" style=\"background:#1e3a8a;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none\">Set your password</a></p>"
            + $"<p style=\"color:#64748b\">The link works once, until {e(expires)}. Then sign in with {e(admin.Email)} and your new password.</p>"
            + "<p>MultiLine Portal</p></div>";
        db.EmailMessages.Add(EmailMessage.Queued(EmailKind.AdminInvitation, admin.ScopeOrganizationId, admin.Email, admin.DisplayName, subject, html, text, now));
        issuer.WakeSenderOnSave(db);
    }

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static bool IsEmail(string email) =>
        email.Length is > 3 and <= 254 && MailAddress.TryCreate(email, out var address) && address.Address == email && email.Contains('.', StringComparison.Ordinal);
}
