using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations;

/// <summary>A template as the editor shows it: the organization's own text, or the built-in one.</summary>
public sealed record EditableTemplate(Language Language, TemplateContent Content, bool IsBuiltIn, DateTime? UpdatedAtUtc, string? UpdatedBy);

/// <summary>Reads and saves an organization's invitation templates, one per language.</summary>
public static class InvitationTemplates
{
    /// <summary>The template an invitation in <paramref name="language"/> uses: the organization's own, else the built-in text of that language.</summary>
    public static async Task<TemplateContent> ResolveAsync(MultiLineDbContext db, int organizationId, Language language, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(language))
            language = Language.English;
        var saved = await db.InvitationTemplates.AsNoTracking()
            .Where(t => t.OrganizationId == organizationId && t.Language == language)
            .Select(t => new TemplateContent(t.Subject, t.HtmlBody, t.TextBody))
            .FirstOrDefaultAsync(cancellationToken);
        return saved ?? InvitationTemplateDefaults.For(language);
    }

    public static async Task<EditableTemplate> LoadAsync(MultiLineDbContext db, int organizationId, Language language, CancellationToken cancellationToken = default)
    {
        var saved = await db.InvitationTemplates.AsNoTracking()
            .FirstOrDefaultAsync(t => t.OrganizationId == organizationId && t.Language == language, cancellationToken);
        return saved is null
            ? new EditableTemplate(language, InvitationTemplateDefaults.For(language), true, null, null)
            : new EditableTemplate(language, new TemplateContent(saved.Subject, saved.HtmlBody, saved.TextBody), false, saved.UpdatedAtUtc, saved.UpdatedBy);
    }

    /// <summary>Saves the organization's template for one language, audited. Refuses a template without {activation_link}.</summary>
    public static async Task<SettingsChange> SaveAsync(MultiLineDbContext db, int organizationId, Language language, TemplateContent content, SettingsActor actor, DateTime nowUtc, CancellationToken cancellationToken = default)
    {
        var problems = InvitationTemplateRenderer.Validate(content);
        if (problems.Count > 0)
            return SettingsChange.Refused(problems);
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
            return SettingsChange.Refused(["That organization is not in your scope."]);

        var saved = await db.InvitationTemplates.FirstOrDefaultAsync(t => t.OrganizationId == organizationId && t.Language == language, cancellationToken);
        var before = saved is null ? null : new TemplateContent(saved.Subject, saved.HtmlBody, saved.TextBody);
        if (before == content)
            return SettingsChange.Unchanged;
        if (saved is null)
        {
            saved = new InvitationTemplate { OrganizationId = organizationId, Language = language, Subject = "", HtmlBody = "", TextBody = "" };
            db.InvitationTemplates.Add(saved);
        }
        saved.Subject = content.Subject;
        saved.HtmlBody = content.HtmlBody;
        saved.TextBody = content.TextBody;
        saved.UpdatedAtUtc = nowUtc;
        saved.UpdatedBy = actor.Name;
        var what = new List<string>();
        var old = before ?? InvitationTemplateDefaults.For(language);
        if (old.Subject != content.Subject) what.Add("subject");
        if (old.HtmlBody != content.HtmlBody) what.Add("HTML part");
        if (old.TextBody != content.TextBody) what.Add("plain-text part");
        db.SettingsAudit.Add(OrganizationSettings.Audit(organizationId, actor, nowUtc, $"Invitation template ({language})",
            before is null ? "built-in text" : $"subject \"{before.Subject}\"",
            $"changed {(what.Count == 0 ? "nothing" : string.Join(", ", what))}; subject \"{content.Subject}\""));
        var organization = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Name).FirstAsync(cancellationToken);
        Activity.ActivityLog.Record(db, actor.Activity, nowUtc, Activity.ActivityActions.InvitationTemplateEdit, organizationId, Activity.ActivityTargetKind.Template,
            $"{organizationId}/{language}", $"{organization}: invitation ({language})",
            $"Changed {(what.Count == 0 ? "nothing" : string.Join(", ", what))}; subject \"{content.Subject}\"");
        await db.SaveChangesAsync(cancellationToken);
        return SettingsChange.Saved;
    }
}
