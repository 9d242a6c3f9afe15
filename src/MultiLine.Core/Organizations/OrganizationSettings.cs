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

/// <summary>The editable settings of one organization.</summary>
public sealed record OrganizationSettingsForm(bool SocialMessagingEnabled, bool SmtpDataOffload, IReadOnlyList<string> AllowedEmailDomains, IReadOnlyList<int> DesignatedAdminIds);

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
        return new OrganizationSettingsForm(organization.SocialMessagingEnabled, organization.SmtpDataOffload, organization.AllowedEmailDomains, designated);
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
        var domains = form.AllowedEmailDomains.Select(d => d.Trim().ToLowerInvariant()).Distinct().ToList();
        if (domains.FirstOrDefault(d => !DomainPattern().IsMatch(d)) is { } badDomain)
            problems.Add($"\"{badDomain}\" is not an email domain. Write domains such as acme.example.");
        if (form.SmtpDataOffload && !organization.SmtpDataOffload)
        {
            var phoneUsernames = await db.Accounts.CountAsync(a => a.OrganizationId == organizationId && a.NormalizedUsername.StartsWith("+"), cancellationToken);
            if (phoneUsernames > 0)
                problems.Add($"SMTP data offload needs every username to be an email address; {Common.Words.Count(phoneUsernames, "account")} of {organization.Name} {(phoneUsernames == 1 ? "uses" : "use")} a phone number.");
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

        Track("Social messaging", OnOff(organization.SocialMessagingEnabled), OnOff(form.SocialMessagingEnabled));
        organization.SocialMessagingEnabled = form.SocialMessagingEnabled;
        Track("SMTP data offload", OnOff(organization.SmtpDataOffload), OnOff(form.SmtpDataOffload));
        organization.SmtpDataOffload = form.SmtpDataOffload;
        Track("Allowed email domains", DomainsText(organization.AllowedEmailDomains), DomainsText(domains));
        organization.AllowedEmailDomains = domains;

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
    private static string DomainsText(IReadOnlyCollection<string> domains) => domains.Count == 0 ? "any domain" : string.Join(", ", domains.Order());
    private static string? Clip(string? text) => text is { Length: > 4000 } ? text[..3997] + "..." : text;

    [GeneratedRegex(@"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
    private static partial Regex DomainPattern();
}
