using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Organizations;

/// <summary>Who changes settings, for the audit table.</summary>
public sealed record SettingsActor(int? AdminId, string Name, string? ClientIp = null, Activity.ActivitySource Source = Activity.ActivitySource.Portal)
{
    /// <summary>The same admin as the activity record names them.</summary>
    public Activity.ActivityActor Activity => new(AdminId is > 0 ? AdminId : null, Name, ClientIp, Source);
}

/// <summary>
/// The editable settings of one organization. <see cref="Inherits"/> says which of them follow the parent organization
/// (null: none); an inherited setting's value in the form is ignored on save and the parent's is used.
/// </summary>
public sealed record OrganizationSettingsForm(bool SocialMessagingEnabled, bool SmtpDataOffload, IReadOnlyList<string> AllowedEmailDomains, IReadOnlyList<int> DesignatedAdminIds,
    SettingsInheritance? Inherits = null);

/// <summary>Which settings follow the parent organization instead of being set on the organization itself.</summary>
public sealed record SettingsInheritance(bool SocialMessaging, bool SmtpDataOffload, bool AllowedEmailDomains)
{
    public static readonly SettingsInheritance None = new(false, false, false);
}

/// <summary>
/// Where each setting's value comes from, for the settings page: null when it is set on the organization itself,
/// otherwise the name of the organization it is inherited from. <see cref="Parent"/> holds the parent's values (what
/// "reset to inherited" gives); null for a top-level organization, or when the parent is outside the admin's scope.
/// </summary>
public sealed record SettingsSources(bool HasParent, string? SocialMessagingFrom, string? SmtpDataOffloadFrom, string? AllowedEmailDomainsFrom, OrganizationSettingsForm? Parent);

/// <summary>An admin who may be designated to receive an organization's batch summaries (their scope covers it).</summary>
public sealed record AdminChoice(int Id, string Name, string Email);

/// <summary>One line of the settings audit table.</summary>
public sealed record SettingsAuditRow(DateTime AtUtc, string AdminName, string Setting, string? OldValue, string? NewValue);

/// <summary>The result of saving settings: saved, nothing to save, or refused with reasons.</summary>
public sealed record SettingsChange(bool Succeeded, bool Changed, IReadOnlyList<string> Problems)
{
    public static readonly SettingsChange Saved = new(true, true, []);
    public static readonly SettingsChange Unchanged = new(true, false, []);
    public static SettingsChange Refused(IReadOnlyList<string> problems) => new(false, false, problems);
}

/// <summary>Reads and saves an organization's settings; every change is written to the audit table in the same transaction.</summary>
public static partial class OrganizationSettings
{
    public static async Task<OrganizationSettingsForm?> LoadAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return null;
        var designated = await db.DesignatedAdmins.Where(d => d.OrganizationId == organizationId).Select(d => d.AdminId).ToListAsync(cancellationToken);
        return new OrganizationSettingsForm(organization.SocialMessagingEnabled, organization.SmtpDataOffload, organization.AllowedEmailDomains, designated,
            new SettingsInheritance(organization.InheritsSocialMessaging, organization.InheritsSmtpDataOffload, organization.InheritsAllowedEmailDomains));
    }

    /// <summary>Where each setting of the organization comes from: set there, or inherited from which ancestor.</summary>
    public static async Task<SettingsSources?> SourcesAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return null;
        var path = organization.AncestorIdsAndSelf();
        var visible = await db.Organizations.AsNoTracking().Where(o => path.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
        string? From(Func<Organization, bool> inherits)
        {
            if (!inherits(organization))
                return null;
            // Up the path to the first organization that sets the value itself.
            foreach (var id in path.Reverse().Skip(1))
            {
                if (!visible.TryGetValue(id, out var ancestor))
                    return "the parent organization";
                if (!inherits(ancestor))
                    return ancestor.Name;
            }
            return "the parent organization";
        }
        var parent = organization.ParentId is { } parentId ? visible.GetValueOrDefault(parentId) : null;
        return new SettingsSources(organization.ParentId is not null,
            From(o => o.InheritsSocialMessaging), From(o => o.InheritsSmtpDataOffload), From(o => o.InheritsAllowedEmailDomains),
            parent is null ? null : new OrganizationSettingsForm(parent.SocialMessagingEnabled, parent.SmtpDataOffload, parent.AllowedEmailDomains, []));
    }

    /// <summary>Admins whose scope includes the organization (all-organization admins, or scoped to it or an ancestor).</summary>
    public static async Task<IReadOnlyList<AdminChoice>> EligibleAdminsAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return [];
        var ancestors = organization.AncestorIdsAndSelf().ToList();
        return await db.Admins.AsNoTracking()
            .Where(a => a.ScopeOrganizationId == null || ancestors.Contains(a.ScopeOrganizationId.Value))
            .OrderBy(a => a.DisplayName)
            .Select(a => new AdminChoice(a.Id, a.DisplayName, a.Email))
            .ToListAsync(cancellationToken);
    }

    public static async Task<IReadOnlyList<SettingsAuditRow>> AuditAsync(MultiLineDbContext db, int organizationId, int take = 50, CancellationToken cancellationToken = default) =>
        await db.SettingsAudit.AsNoTracking()
            .Where(a => a.OrganizationId == organizationId)
            .OrderByDescending(a => a.AtUtc).ThenByDescending(a => a.Id)
            .Take(take)
            .Select(a => new SettingsAuditRow(a.AtUtc, a.AdminName, a.Setting, a.OldValue, a.NewValue))
            .ToListAsync(cancellationToken);

    /// <summary>Reads a list of email domains typed with commas, spaces or new lines. Lower-cased, without duplicates.</summary>
    public static bool TryParseDomains(string? text, out IReadOnlyList<string> domains, out string? error)
    {
        var parts = (text ?? "").Split([',', ';', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Trim().TrimStart('@').ToLowerInvariant())
            .Distinct()
            .ToList();
        var bad = parts.Where(p => !DomainPattern().IsMatch(p)).ToList();
        domains = parts;
        error = bad.Count == 0 ? null
            : $"{string.Join(", ", bad.Select(b => $"\"{b}\""))} {(bad.Count == 1 ? "is not an email domain" : "are not email domains")}. Write domains such as acme.example.";
        return error is null;
    }

    public static async Task<SettingsChange> SaveAsync(MultiLineDbContext db, int organizationId, OrganizationSettingsForm form, SettingsActor actor, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return SettingsChange.Refused(["That organization is not in your scope."]);

        var problems = new List<string>();
        var inherits = form.Inherits ?? SettingsInheritance.None;
        // The organization and its sub-organizations, which are inside the admin's scope whenever the organization is.
        var subtree = await db.Organizations.Where(o => o.Path.StartsWith(organization.Path)).ToListAsync(cancellationToken);
        var parent = organization.ParentId is { } parentId ? await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == parentId, cancellationToken) : null;
        if ((inherits.SocialMessaging || inherits.SmtpDataOffload || inherits.AllowedEmailDomains) && parent is null)
            problems.Add(organization.ParentId is null
                ? $"{organization.Name} is a top-level organization; it has nothing to inherit from."
                : $"{organization.Name} is the top of your scope; only an administrator of its parent organization can make it inherit a setting.");
        var domains = inherits.AllowedEmailDomains && parent is not null ? [.. parent.AllowedEmailDomains]
            : form.AllowedEmailDomains.Select(d => d.Trim().ToLowerInvariant()).Distinct().ToList();
        if (domains.FirstOrDefault(d => !DomainPattern().IsMatch(d)) is { } badDomain)
            problems.Add($"\"{badDomain}\" is not an email domain. Write domains such as acme.example.");
        var socialMessaging = inherits.SocialMessaging && parent is not null ? parent.SocialMessagingEnabled : form.SocialMessagingEnabled;
        var offload = inherits.SmtpDataOffload && parent is not null ? parent.SmtpDataOffload : form.SmtpDataOffload;

        // What each sub-organization that inherits will have once the change flows down.
        var planned = SettingsInheritanceFlow.Plan(organization, subtree, socialMessaging, offload, domains);
        var offloadTurnsOn = subtree.Where(o => !o.SmtpDataOffload && planned[o.Id].SmtpDataOffload).Select(o => o.Id).ToList();
        if (offloadTurnsOn.Count > 0)
        {
            var phoneUsernames = await db.Accounts.CountAsync(a => offloadTurnsOn.Contains(a.OrganizationId) && a.NormalizedUsername.StartsWith("+"), cancellationToken);
            if (phoneUsernames > 0)
                problems.Add($"SMTP data offload needs every username to be an email address; {Common.Words.Count(phoneUsernames, "account")} of {organization.Name}{(offloadTurnsOn.Count > 1 ? " and the sub-organizations that inherit the setting" : "")} {(phoneUsernames == 1 ? "uses" : "use")} a phone number.");
        }
        var eligible = (await EligibleAdminsAsync(db, organizationId, cancellationToken)).Select(a => a.Id).ToHashSet();
        if (form.DesignatedAdminIds.Any(id => !eligible.Contains(id)))
            problems.Add("A designated admin must be able to see this organization.");
        if (problems.Count > 0)
            return SettingsChange.Refused(problems);

        var changed = false;
        var changes = new List<string>();
        void Track(string setting, string? before, string? after)
        {
            if (before == after)
                return;
            db.SettingsAudit.Add(Audit(organizationId, actor, nowUtc, setting, before, after));
            changes.Add($"{setting}: {before ?? "none"} → {after ?? "none"}");
            changed = true;
        }

        Track("Social messaging", Inherited(OnOff(organization.SocialMessagingEnabled), organization.InheritsSocialMessaging), Inherited(OnOff(socialMessaging), inherits.SocialMessaging));
        Track("SMTP data offload", Inherited(OnOff(organization.SmtpDataOffload), organization.InheritsSmtpDataOffload), Inherited(OnOff(offload), inherits.SmtpDataOffload));
        Track("Allowed email domains", Inherited(DomainsText(organization.AllowedEmailDomains), organization.InheritsAllowedEmailDomains), Inherited(DomainsText(domains), inherits.AllowedEmailDomains));
        organization.InheritsSocialMessaging = inherits.SocialMessaging;
        organization.InheritsSmtpDataOffload = inherits.SmtpDataOffload;
        organization.InheritsAllowedEmailDomains = inherits.AllowedEmailDomains;
        // The organization's own values and every inheriting sub-organization's copy change in the same save.
        foreach (var member in subtree)
        {
            var values = planned[member.Id];
            member.SocialMessagingEnabled = values.SocialMessagingEnabled;
            member.SmtpDataOffload = values.SmtpDataOffload;
            if (!member.AllowedEmailDomains.SequenceEqual(values.AllowedEmailDomains))
                member.AllowedEmailDomains = [.. values.AllowedEmailDomains];
        }

        var current = await db.DesignatedAdmins.Where(d => d.OrganizationId == organizationId).ToListAsync(cancellationToken);
        var wanted = form.DesignatedAdminIds.Distinct().ToHashSet();
        var names = await db.Admins.AsNoTracking().Where(a => wanted.Contains(a.Id) || current.Select(c => c.AdminId).Contains(a.Id))
            .ToDictionaryAsync(a => a.Id, a => a.DisplayName, cancellationToken);
        string AdminList(IEnumerable<int> ids) => ids.Any() ? string.Join(", ", ids.Select(id => names.GetValueOrDefault(id, $"#{id}")).Order()) : "none";
        Track("Designated admins", AdminList(current.Select(c => c.AdminId)), AdminList(wanted));
        db.DesignatedAdmins.RemoveRange(current.Where(c => !wanted.Contains(c.AdminId)));
        db.DesignatedAdmins.AddRange(wanted.Where(id => current.All(c => c.AdminId != id)).Select(id => new DesignatedAdmin { OrganizationId = organizationId, AdminId = id }));

        if (!changed)
            return SettingsChange.Unchanged;
        // One save of the form is one act in the activity record, however many settings it changed.
        Activity.ActivityLog.Record(db, actor.Activity, nowUtc, Activity.ActivityActions.SettingsEdit, organizationId, Activity.ActivityTargetKind.Settings,
            organizationId.ToString(System.Globalization.CultureInfo.InvariantCulture), organization.Name, string.Join("; ", changes));
        await db.SaveChangesAsync(cancellationToken);
        return SettingsChange.Saved;
    }

    internal static SettingsAuditEntry Audit(int organizationId, SettingsActor actor, DateTime nowUtc, string setting, string? before, string? after) => new()
    {
        OrganizationId = organizationId,
        AdminId = actor.AdminId is > 0 ? actor.AdminId : null,
        AdminName = actor.Name,
        AtUtc = nowUtc,
        Setting = setting,
        OldValue = Clip(before),
        NewValue = Clip(after),
    };

    private static string OnOff(bool on) => on ? "On" : "Off";
    private static string Inherited(string value, bool inherited) => inherited ? $"{value} (inherited)" : value;
    private static string DomainsText(IReadOnlyCollection<string> domains) => domains.Count == 0 ? "any domain" : string.Join(", ", domains.Order());
    private static string? Clip(string? text) => text is { Length: > 4000 } ? text[..3997] + "..." : text;

    [GeneratedRegex(@"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
    private static partial Regex DomainPattern();
}

/// <summary>
/// How a change of an organization's settings flows down: each sub-organization that inherits a setting takes its
/// parent's value, level by level; one that overrides it keeps its own (and so do its own sub-organizations that inherit from it).
/// </summary>
public static class SettingsInheritanceFlow
{
    public sealed record Values(bool SocialMessagingEnabled, bool SmtpDataOffload, IReadOnlyList<string> AllowedEmailDomains);

    /// <summary>The values every organization of <paramref name="subtree"/> (which includes <paramref name="changed"/>) will hold.</summary>
    public static IReadOnlyDictionary<int, Values> Plan(Organization changed, IEnumerable<Organization> subtree, bool socialMessaging, bool smtpDataOffload, IReadOnlyList<string> domains)
    {
        var planned = new Dictionary<int, Values> { [changed.Id] = new(socialMessaging, smtpDataOffload, domains) };
        foreach (var member in subtree.Where(o => o.Id != changed.Id).OrderBy(o => o.Path.Length))
        {
            // A parent outside the changed subtree cannot occur: the subtree is a prefix match on the changed path.
            var parent = planned[member.ParentId!.Value];
            planned[member.Id] = new Values(
                member.InheritsSocialMessaging ? parent.SocialMessagingEnabled : member.SocialMessagingEnabled,
                member.InheritsSmtpDataOffload ? parent.SmtpDataOffload : member.SmtpDataOffload,
                member.InheritsAllowedEmailDomains ? parent.AllowedEmailDomains : member.AllowedEmailDomains);
        }
        return planned;
    }
}
