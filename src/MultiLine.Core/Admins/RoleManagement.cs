using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Admins;

/// <summary>How a change to a role or an administrator ended; <see cref="Message"/> is what the page or the API says.</summary>
public enum ManagementStatus { Done, NotFound, NotAllowed, Invalid, Conflict }

public sealed record ManagementResult(ManagementStatus Status, string Message, int? Id = null)
{
    public bool Succeeded => Status == ManagementStatus.Done;

    public static ManagementResult Done(string message, int id) => new(ManagementStatus.Done, message, id);
    public static ManagementResult NotFound(string message) => new(ManagementStatus.NotFound, message);
    public static ManagementResult NotAllowed(string message) => new(ManagementStatus.NotAllowed, message);
    public static ManagementResult Invalid(string message) => new(ManagementStatus.Invalid, message);
    public static ManagementResult Conflict(string message) => new(ManagementStatus.Conflict, message);
}

/// <summary>
/// A role as the Roles and Privileges page lists it, with what the caller may do to it: <see cref="EditRefusal"/> and
/// <see cref="DeleteRefusal"/> are null when allowed, else the reason (the disabled button's tooltip).
/// </summary>
public sealed record RoleView(int Id, string Name, Privileges Privileges, int AdminCount, string? EditRefusal, string? DeleteRefusal)
{
    public string PrivilegeNames => AdminRules.Describe(Privileges);
}

public sealed record RoleInput(string Name, Privileges Privileges);

/// <summary>
/// Creates, edits and deletes roles under the no-escalation rule (<see cref="AdminRules"/>): nobody puts into a role, or
/// changes a role holding, privileges they do not hold themselves. Works on the caller's scoped context, whose scope
/// says who the caller is; every change records one activity entry in the same save.
/// </summary>
public sealed class RoleManagement(TimeProvider clock)
{
    public const int MaxNameLength = 100;

    public static string UsedBy(int admins) => $"Used by {Words.Count(admins, "administrator")}";

    public const string UsedOutsideScope = "This role is also used by administrators outside your scope.";

    public async Task<IReadOnlyList<RoleView>> ListAsync(MultiLineDbContext db, CancellationToken cancellationToken = default)
    {
        var roles = await db.Roles.AsNoTracking()
            .OrderBy(r => r.Name)
            .Select(r => new { r.Id, r.Name, r.Privileges, Admins = db.Admins.Count(a => a.RoleId == r.Id) })
            .ToListAsync(cancellationToken);
        var outside = await UsedOutsideScopeAsync(db, null, cancellationToken);
        return roles.Select(r =>
        {
            var edit = AdminRules.RefuseRoleChange(db.Scope, r.Name, r.Privileges) ?? (outside.Contains(r.Id) ? UsedOutsideScope : null);
            var delete = r.Admins > 0 ? UsedBy(r.Admins) : edit;
            return new RoleView(r.Id, r.Name, r.Privileges, r.Admins, edit, delete);
        }).ToList();
    }

    public async Task<RoleView?> GetAsync(MultiLineDbContext db, int id, CancellationToken cancellationToken = default) =>
        (await ListAsync(db, cancellationToken)).FirstOrDefault(r => r.Id == id);

    public async Task<ManagementResult> CreateAsync(MultiLineDbContext db, RoleInput input, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (await CheckAsync(db, null, input, cancellationToken) is { } refused)
            return refused;
        var role = new Role { Name = input.Name.Trim(), Privileges = input.Privileges & Privileges.All };
        // The entry names the role's id, known after the first save: one transaction holds both.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Roles.Add(role);
        await db.SaveChangesAsync(cancellationToken);
        ActivityLog.Record(db, actor, Now, ActivityActions.RoleCreate, null, ActivityTargetKind.Role, Key(role.Id), role.Name,
            $"Privileges: {AdminRules.Describe(role.Privileges)}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return ManagementResult.Done($"Role \"{role.Name}\" created.", role.Id);
    }

    public async Task<ManagementResult> EditAsync(MultiLineDbContext db, int id, RoleInput input, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        var role = await db.Roles.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (role is null)
            return ManagementResult.NotFound(AdminRules.RoleNotFound);
        if (AdminRules.RefuseRoleChange(db.Scope, role.Name, role.Privileges) is { } notYours)
            return ManagementResult.NotAllowed(notYours);
        if ((await UsedOutsideScopeAsync(db, id, cancellationToken)).Count > 0)
            return ManagementResult.NotAllowed(UsedOutsideScope);
        if (await CheckAsync(db, id, input, cancellationToken) is { } refused)
            return refused;

        var name = input.Name.Trim();
        var privileges = input.Privileges & Privileges.All;
        var changes = new List<string>();
        if (role.Name != name)
            changes.Add($"Name: {role.Name} → {name}");
        if (role.Privileges != privileges)
            changes.Add($"Privileges: {AdminRules.Describe(role.Privileges)} → {AdminRules.Describe(privileges)}");
        if (changes.Count == 0)
            return ManagementResult.Done($"Role \"{role.Name}\" is unchanged.", role.Id);
        role.Name = name;
        role.Privileges = privileges;
        ActivityLog.Record(db, actor, Now, ActivityActions.RoleEdit, null, ActivityTargetKind.Role, Key(role.Id), role.Name, string.Join("; ", changes));
        await db.SaveChangesAsync(cancellationToken);
        return ManagementResult.Done($"Role \"{role.Name}\" saved. Administrators with it get the new privileges at their next request.", role.Id);
    }

    public async Task<ManagementResult> DeleteAsync(MultiLineDbContext db, int id, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        var role = await db.Roles.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (role is null)
            return ManagementResult.NotFound(AdminRules.RoleNotFound);
        if (AdminRules.RefuseRoleChange(db.Scope, role.Name, role.Privileges) is { } notYours)
            return ManagementResult.NotAllowed(notYours);
        var admins = await db.Admins.CountAsync(a => a.RoleId == id, cancellationToken);
        if (admins > 0)
            return ManagementResult.Conflict($"The role \"{role.Name}\" cannot be deleted: {char.ToLowerInvariant(UsedBy(admins)[0])}{UsedBy(admins)[1..]}. Give them another role first.");
        db.Roles.Remove(role);
        ActivityLog.Record(db, actor, Now, ActivityActions.RoleDelete, null, ActivityTargetKind.Role, Key(role.Id), role.Name,
            $"Privileges: {AdminRules.Describe(role.Privileges)}");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // An administrator was given the role meanwhile: the foreign key keeps it.
            return ManagementResult.Conflict($"The role \"{role.Name}\" cannot be deleted: it was just given to an administrator.");
        }
        return ManagementResult.Done($"Role \"{role.Name}\" deleted.", role.Id);
    }

    public static string Key(int roleId) => roleId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static async Task<ManagementResult?> CheckAsync(MultiLineDbContext db, int? id, RoleInput input, CancellationToken cancellationToken)
    {
        var name = (input.Name ?? "").Trim();
        if (name.Length == 0)
            return ManagementResult.Invalid("Enter a name for the role.");
        if (name.Length > MaxNameLength)
            return ManagementResult.Invalid($"A role name has at most {MaxNameLength} characters.");
        if ((input.Privileges & Privileges.All) == Privileges.None)
            return ManagementResult.Invalid("Choose at least one privilege.");
        if (AdminRules.RefuseRolePrivileges(db.Scope, input.Privileges) is { } escalation)
            return ManagementResult.NotAllowed(escalation);
        var upper = name.ToUpperInvariant();
        // Names are few and compared in memory, so "é" folds like "É" on every engine.
        var names = await db.Roles.AsNoTracking().Where(r => r.Id != id).Select(r => r.Name).ToListAsync(cancellationToken);
        if (names.Any(n => n.ToUpperInvariant() == upper))
            return ManagementResult.Conflict($"A role named \"{name}\" already exists. Choose another name.");
        return null;
    }

    /// <summary>Roles (or the one role) held by an admin the caller's scope does not include; empty for a caller who sees all.</summary>
    private static async Task<HashSet<int>> UsedOutsideScopeAsync(MultiLineDbContext db, int? roleId, CancellationToken cancellationToken)
    {
        if (db.Scope.SeesAllOrganizations)
            return [];
        var visible = AdministratorManagement.Visible(db).Select(a => a.Id);
        return [.. await db.Admins.Where(a => (roleId == null || a.RoleId == roleId) && !visible.Contains(a.Id))
            .Select(a => a.RoleId).Distinct().ToListAsync(cancellationToken)];
    }
}
