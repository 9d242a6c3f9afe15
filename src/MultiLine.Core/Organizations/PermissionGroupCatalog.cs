using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Organizations;

/// <summary>A permission group as the permission groups page shows it for one organization.</summary>
public sealed record PermissionGroupRow(
    int Id, string Name, Features Features, int DefinedById, string DefinedBy, bool DefinedHere, bool IsDefault, int AccountsUsing,
    string? EditRefusal, string? DeleteRefusal);

/// <summary>The groups an organization can use, and where its default comes from.</summary>
public sealed record PermissionGroupList(int OrganizationId, string OrganizationName, IReadOnlyList<PermissionGroupRow> Groups, int? DefaultGroupId, bool DefaultChosenHere);

/// <summary>
/// Permission groups ("User Permissions"): list the groups an organization can use, create, edit and delete the ones
/// defined there, and choose the organization's default (its own group or an inherited one). Each change needs the
/// <see cref="Privileges.Setup"/> privilege and writes one <see cref="ActivityEntry"/>. Accounts reference their group,
/// so a change of features applies to every account of the group at once.
/// </summary>
public sealed class PermissionGroupCatalog(TimeProvider clock)
{
    public const string NotFoundMessage = "That permission group does not exist or is outside your scope.";
    public const string NotAllowedMessage = "You need the Setup privilege to manage permission groups.";
    public const int MaxNameLength = 100;

    /// <summary>Every feature a group can give, in the order pages show them.</summary>
    public static readonly Features[] AllFeatures = [Features.VoiceCalling, Features.Sms, Features.SocialMessaging, Features.CallRecording];

    public static string Label(Features feature) => feature switch
    {
        Features.VoiceCalling => "Voice calling",
        Features.Sms => "SMS",
        Features.SocialMessaging => "Social messaging",
        Features.CallRecording => "Call recording",
        _ => feature.ToString(),
    };

    public static string Describe(Features features) =>
        features == Features.None ? "none" : string.Join(", ", AllFeatures.Where(f => features.HasFlag(f)).Select(Label));

    public async Task<PermissionGroupList?> ListAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return null;
        var groups = await db.PermissionGroups.AsNoTracking().UsableBy(organization).ToListAsync(cancellationToken);
        var ids = groups.Select(g => g.Id).ToArray();
        var visible = await db.Organizations.AsNoTracking().Where(o => organization.AncestorIdsAndSelf().Contains(o.Id))
            .ToDictionaryAsync(o => o.Id, o => o.Name, cancellationToken);
        var defaultGroup = PermissionGroupInheritance.DefaultFor(organization, groups, await PermissionGroupInheritance.ChoicesOnPathAsync(db, organization, cancellationToken));
        var usage = await db.Visible<Account>().Where(a => ids.Contains(a.PermissionGroupId)).GroupBy(a => a.PermissionGroupId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var chosenBy = await db.Organizations.AsNoTracking().Where(o => o.DefaultPermissionGroupId != null && ids.Contains(o.DefaultPermissionGroupId.Value))
            .Select(o => new { GroupId = o.DefaultPermissionGroupId!.Value, o.Name }).ToListAsync(cancellationToken);

        var rows = groups.OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase).Select(g =>
        {
            var definedBy = visible.GetValueOrDefault(g.OrganizationId);
            var here = g.OrganizationId == organization.Id;
            var editRefusal = here ? null : EditElsewhere(definedBy);
            var deleteRefusal = editRefusal ?? DeleteRefusal(usage.GetValueOrDefault(g.Id),
                [.. chosenBy.Where(c => c.GroupId == g.Id).Select(c => c.Name).Concat(g.IsDefault && definedBy is not null ? [definedBy] : []).Distinct()]);
            return new PermissionGroupRow(g.Id, g.Name, g.Features, g.OrganizationId, definedBy ?? "a parent organization", here,
                g.Id == defaultGroup?.Id, usage.GetValueOrDefault(g.Id), editRefusal, deleteRefusal);
        }).ToList();
        var chosenHere = organization.DefaultPermissionGroupId is not null || groups.Any(g => g.OrganizationId == organization.Id && g.IsDefault);
        return new PermissionGroupList(organization.Id, organization.Name, rows, defaultGroup?.Id, chosenHere);
    }

    /// <summary>Why a group cannot be deleted: accounts use it, or it is an organization's default; null when it can.</summary>
    public static string? DeleteRefusal(int accountsUsing, IReadOnlyList<string> defaultOf)
    {
        if (accountsUsing > 0)
            return $"{Words.Count(accountsUsing, "account")} {(accountsUsing == 1 ? "uses" : "use")} this group; give them another group first.";
        if (defaultOf.Count > 0)
            return $"It is the default of {string.Join(", ", defaultOf.Order())}; choose another default there first.";
        return null;
    }

    /// <summary>An inherited group is edited where it was defined.</summary>
    public static string EditElsewhere(string? definedBy) => definedBy is null
        ? "Defined in a parent organization outside your scope; its administrators can change it."
        : $"Defined in {definedBy} — edit it there.";

    public async Task<OrganizationChange> CreateAsync(MultiLineDbContext db, int organizationId, string? name, Features features, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (!db.Scope.Has(Privileges.Setup))
            return NotAllowed;
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return OrganizationChange.NotFound;
        if ((await NameRefusalAsync(db, organizationId, name, null, organization.Name, cancellationToken) ?? FeaturesRefusal(features)) is { } refusal)
            return OrganizationChange.Refused(refusal);
        var group = new PermissionGroup { OrganizationId = organizationId, Name = name!.Trim(), Features = features };
        db.PermissionGroups.Add(group);
        await db.SaveChangesAsync(cancellationToken);
        ActivityLog.Record(db, actor, Now, ActivityActions.PermissionGroupCreate, organizationId, ActivityTargetKind.PermissionGroup,
            Key(group.Id), group.Name, $"Features: {Describe(features)}");
        await db.SaveChangesAsync(cancellationToken);
        return new OrganizationChange(OrganizationChangeStatus.Done, $"Permission group {group.Name} was added to {organization.Name}.", group.Id);
    }

    /// <summary>
    /// Renames the group and sets its features. <paramref name="fromOrganizationId"/> is the organization the admin is
    /// looking at: an inherited group is refused there, since it is edited only where it was defined.
    /// </summary>
    public async Task<OrganizationChange> EditAsync(MultiLineDbContext db, int groupId, string? name, Features features, ActivityActor actor,
        int? fromOrganizationId = null, CancellationToken cancellationToken = default)
    {
        if (!db.Scope.Has(Privileges.Setup))
            return NotAllowed;
        var (group, definedBy, refusal) = await FindEditableAsync(db, groupId, fromOrganizationId, cancellationToken);
        if (group is null)
            return refusal!;
        if ((await NameRefusalAsync(db, group.OrganizationId, name, group.Id, definedBy!, cancellationToken) ?? FeaturesRefusal(features)) is { } problem)
            return OrganizationChange.Refused(problem);
        var changes = new List<string>();
        var trimmed = name!.Trim();
        if (trimmed != group.Name)
            changes.Add($"Name: {group.Name} → {trimmed}");
        if (features != group.Features)
            changes.Add($"Features: {Describe(group.Features)} → {Describe(features)}");
        if (changes.Count == 0)
            return new OrganizationChange(OrganizationChangeStatus.Done, "Nothing changed.", group.Id);
        group.Name = trimmed;
        group.Features = features;
        ActivityLog.Record(db, actor, Now, ActivityActions.PermissionGroupEdit, group.OrganizationId, ActivityTargetKind.PermissionGroup,
            Key(group.Id), trimmed, string.Join("; ", changes));
        await db.SaveChangesAsync(cancellationToken);
        return new OrganizationChange(OrganizationChangeStatus.Done, $"Permission group {trimmed} was saved; its accounts have the new features.", group.Id);
    }

    public async Task<OrganizationChange> DeleteAsync(MultiLineDbContext db, int groupId, ActivityActor actor, int? fromOrganizationId = null, CancellationToken cancellationToken = default)
    {
        if (!db.Scope.Has(Privileges.Setup))
            return NotAllowed;
        var (group, definedBy, refusal) = await FindEditableAsync(db, groupId, fromOrganizationId, cancellationToken);
        if (group is null)
            return refusal!;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // An account added to the group meanwhile takes its organization's capacity lock first; so does this check.
        var path = await db.Organizations.Where(o => o.Id == group.OrganizationId).Select(o => o.Path).FirstAsync(cancellationToken);
        var subtree = await db.Organizations.Where(o => o.Path.StartsWith(path)).Select(o => o.Id).ToListAsync(cancellationToken);
        await Numbers.NumberCapacityQueries.LockCapacityAsync(db, subtree, cancellationToken);
        var accounts = await db.Visible<Account>().CountAsync(a => a.PermissionGroupId == group.Id, cancellationToken);
        var defaultOf = await db.Organizations.Where(o => o.DefaultPermissionGroupId == group.Id).Select(o => o.Name).ToListAsync(cancellationToken);
        if (group.IsDefault)
            defaultOf.Add(definedBy!);
        if (DeleteRefusal(accounts, [.. defaultOf.Distinct()]) is { } problem)
            return OrganizationChange.Refused(problem);
        // Finished batches keep their report; the group they were run with is no longer named.
        await db.Visible<BatchOperation>().Where(b => b.PermissionGroupId == group.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.PermissionGroupId, (int?)null), cancellationToken);
        db.PermissionGroups.Remove(group);
        ActivityLog.Record(db, actor, Now, ActivityActions.PermissionGroupDelete, group.OrganizationId, ActivityTargetKind.PermissionGroup,
            Key(group.Id), group.Name, $"Features: {Describe(group.Features)}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new OrganizationChange(OrganizationChangeStatus.Done, $"Permission group {group.Name} was deleted.", group.Id);
    }

    /// <summary>
    /// Makes <paramref name="groupId"/> (its own or an inherited group) the organization's default; null goes back to the
    /// parent's default. Sub-organizations that have not chosen their own default follow it.
    /// </summary>
    public async Task<OrganizationChange> SetDefaultAsync(MultiLineDbContext db, int organizationId, int? groupId, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (!db.Scope.Has(Privileges.Setup))
            return NotAllowed;
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return OrganizationChange.NotFound;
        var usable = await db.PermissionGroups.UsableBy(organization).ToListAsync(cancellationToken);
        var chosen = groupId is { } id ? usable.FirstOrDefault(g => g.Id == id) : null;
        if (groupId is not null && chosen is null)
            return OrganizationChange.Refused($"That permission group cannot be used by {organization.Name}: choose one of its own groups or one defined in a parent organization.");
        var before = PermissionGroupInheritance.DefaultFor(organization, usable, await PermissionGroupInheritance.ChoicesOnPathAsync(db, organization, cancellationToken));

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One own group at most is flagged (a unique index): clear the flags first, then flag the chosen own group, so
        // sub-organizations and admins scoped below see the choice even where they cannot read this organization.
        foreach (var own in usable.Where(g => g.OrganizationId == organization.Id && g.IsDefault))
            own.IsDefault = false;
        organization.DefaultPermissionGroupId = chosen?.Id;
        await db.SaveChangesAsync(cancellationToken);
        if (chosen is not null && chosen.OrganizationId == organization.Id)
            chosen.IsDefault = true;
        var after = chosen ?? PermissionGroupInheritance.DefaultFor(organization, usable.Where(g => g.OrganizationId != organization.Id),
            await PermissionGroupInheritance.ChoicesOnPathAsync(db, organization, cancellationToken));
        ActivityLog.Record(db, actor, Now, ActivityActions.PermissionGroupDefault, organization.Id, ActivityTargetKind.PermissionGroup,
            after is null ? null : Key(after.Id), after?.Name,
            $"Default of {organization.Name}: {before?.Name ?? "none"} → {(chosen is null ? $"inherited ({after?.Name ?? "none"})" : chosen.Name)}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new OrganizationChange(OrganizationChangeStatus.Done, chosen is null
            ? $"{organization.Name} now uses its parent's default{(after is null ? "" : $" ({after.Name})")}."
            : $"{chosen.Name} is now the default of {organization.Name}.", organization.Id);
    }

    public static string Key(int groupId) => groupId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static OrganizationChange NotAllowed => new(OrganizationChangeStatus.NotAllowed, NotAllowedMessage);

    /// <summary>The group, tracked, when the admin may change it from where they are; otherwise why not.</summary>
    private static async Task<(PermissionGroup? Group, string? DefinedBy, OrganizationChange? Refusal)> FindEditableAsync(
        MultiLineDbContext db, int groupId, int? fromOrganizationId, CancellationToken cancellationToken)
    {
        var group = await db.PermissionGroups.FirstOrDefaultAsync(g => g.Id == groupId, cancellationToken);
        if (group is null)
            return (null, null, new OrganizationChange(OrganizationChangeStatus.NotFound, NotFoundMessage));
        var definedBy = await db.Organizations.Where(o => o.Id == group.OrganizationId).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken);
        if (fromOrganizationId is { } from && from != group.OrganizationId)
        {
            // Only a group the organization can use is named; any other is simply not there.
            var viewer = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == from, cancellationToken);
            return viewer is not null && viewer.AncestorIdsAndSelf().Contains(group.OrganizationId)
                ? (null, null, OrganizationChange.Refused(EditElsewhere(definedBy)))
                : (null, null, new OrganizationChange(OrganizationChangeStatus.NotFound, NotFoundMessage));
        }
        // A group defined above the admin's scope is inherited into it, but only that organization's admins change it.
        return definedBy is null
            ? (null, null, new OrganizationChange(OrganizationChangeStatus.NotFound, NotFoundMessage))
            : (group, definedBy, null);
    }

    private static async Task<string?> NameRefusalAsync(MultiLineDbContext db, int organizationId, string? name, int? selfId, string organizationName, CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
            return "Give the permission group a name.";
        if (trimmed.Length > MaxNameLength)
            return $"The name is {trimmed.Length} characters long; at most {MaxNameLength} are allowed.";
        var lower = trimmed.ToLower();
        return await db.PermissionGroups.AnyAsync(g => g.OrganizationId == organizationId && g.Id != selfId && g.Name.ToLower() == lower, cancellationToken)
            ? $"{organizationName} already has a permission group named \"{trimmed}\". Choose another name."
            : null;
    }

    private static string? FeaturesRefusal(Features features) =>
        (features & ~(Features.VoiceCalling | Features.Sms | Features.SocialMessaging | Features.CallRecording)) != 0 ? "That is not a feature a group can give."
        : features == Features.None ? "Choose at least one feature." : null;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
