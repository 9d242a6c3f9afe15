using MultiLine.Core.Imports;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Accounts;

/// <summary>The values of an account that a settings change can set.</summary>
[Flags]
public enum AccountFields
{
    None = 0,
    FirstName = 1,
    LastName = 2,
    PermissionGroup = 4,
    SocialMessaging = 8,
    RestrictIncomingSocialMessaging = 16,
    MonitorCalls = 32,
    MonitorSms = 64,
    ForwardingNumber = 128,
    Language = 256,
}

/// <summary>What to set on an account; a null value leaves that value as it is.</summary>
public sealed record AccountSettingsChange(
    string? FirstName = null,
    string? LastName = null,
    int? PermissionGroupId = null,
    bool? SocialMessaging = null,
    bool? RestrictIncomingSocialMessaging = null,
    MonitorCalls? MonitorCalls = null,
    MonitorSms? MonitorSms = null,
    string? ForwardingNumber = null,
    Language? Language = null)
{
    /// <summary>The values this change sets.</summary>
    public AccountFields Fields =>
        (FirstName is null ? 0 : AccountFields.FirstName)
        | (LastName is null ? 0 : AccountFields.LastName)
        | (PermissionGroupId is null ? 0 : AccountFields.PermissionGroup)
        | (SocialMessaging is null ? 0 : AccountFields.SocialMessaging)
        | (RestrictIncomingSocialMessaging is null ? 0 : AccountFields.RestrictIncomingSocialMessaging)
        | (MonitorCalls is null ? 0 : AccountFields.MonitorCalls)
        | (MonitorSms is null ? 0 : AccountFields.MonitorSms)
        | (ForwardingNumber is null ? 0 : AccountFields.ForwardingNumber)
        | (Language is null ? 0 : AccountFields.Language);
}

/// <summary>One value a change sets, before and after, in the words (and CSV values) an admin reads.</summary>
public sealed record FieldChange(string Field, string Before, string After)
{
    public string Text => $"{Field} {Before} → {After}";
}

/// <summary>What applying a change did: why it was refused, or what it changed (nothing, when the account already had the values).</summary>
public sealed record SettingsOutcome(string? Refusal, IReadOnlyList<FieldChange> Changes)
{
    public bool Refused => Refusal is not null;
    public bool Unchanged => Refusal is null && Changes.Count == 0;

    /// <summary>"language English → Italian; User Permissions Standard → Messaging only".</summary>
    public string Summary => string.Join("; ", Changes.Select(c => c.Text));
}

/// <summary>
/// Applies a settings change to an account under its organization's rules, as they are now: the one function behind an
/// update from CSV (its preview and its batch) and any later bulk edit of settings. The permission group must be one the
/// organization can use (its own or an ancestor's), social messaging needs the organization to have it, and the restrict
/// flag applies only while social messaging is on (switching social messaging off clears it).
/// </summary>
public static class AccountSettings
{
    /// <summary>
    /// Checks <paramref name="change"/> against <paramref name="organization"/>'s rules and, unless refused, sets it on
    /// <paramref name="account"/>. <paramref name="usableGroups"/> are the groups the organization can use.
    /// </summary>
    public static SettingsOutcome Apply(Account account, AccountSettingsChange change, Organization organization, IReadOnlyCollection<PermissionGroup> usableGroups)
    {
        PermissionGroup? group = null;
        if (change.PermissionGroupId is { } groupId)
        {
            group = usableGroups.FirstOrDefault(g => g.Id == groupId);
            if (group is null)
                return new($"The User Permissions group is not available to organization {organization.Name}.", []);
        }
        // Only a change that switches social messaging on is refused; an account that has it already keeps its other changes.
        if (change.SocialMessaging is true && OrganizationRules.SocialMessagingRefusal("Yes", true, organization) is { } refusal)
            return new($"social_messaging: {refusal}", []);
        var social = change.SocialMessaging ?? account.SocialMessaging;
        var restrict = social && (change.RestrictIncomingSocialMessaging ?? account.RestrictIncomingSocialMessaging);

        var changes = new List<FieldChange>();
        void Set<T>(string field, T before, T after, Action<T> assign, Func<T, string> text)
        {
            if (EqualityComparer<T>.Default.Equals(before, after))
                return;
            changes.Add(new FieldChange(field, text(before), text(after)));
            assign(after);
        }

        Set("first name", account.FirstName, change.FirstName ?? account.FirstName, v => account.FirstName = v, Shown);
        Set("last name", account.LastName, change.LastName ?? account.LastName, v => account.LastName = v, Shown);
        if (group is not null && group.Id != account.PermissionGroupId)
        {
            var before = usableGroups.FirstOrDefault(g => g.Id == account.PermissionGroupId)?.Name ?? "(another group)";
            changes.Add(new FieldChange("User Permissions", before, group.Name));
            account.PermissionGroupId = group.Id;
        }
        Set("social messaging", account.SocialMessaging, social, v => account.SocialMessaging = v, AccountCsvText.YesNo);
        Set("restrict incoming social messaging", account.RestrictIncomingSocialMessaging, restrict, v => account.RestrictIncomingSocialMessaging = v, AccountCsvText.TrueFalse);
        Set("monitor calls", account.MonitorCalls, change.MonitorCalls ?? account.MonitorCalls, v => account.MonitorCalls = v, AccountCsvText.Text);
        Set("monitor SMS", account.MonitorSms, change.MonitorSms ?? account.MonitorSms, v => account.MonitorSms = v, AccountCsvText.Text);
        Set("forwarding number", account.ForwardingNumber, change.ForwardingNumber ?? account.ForwardingNumber, v => account.ForwardingNumber = v, Shown);
        Set("language", account.Language, change.Language ?? account.Language, v => account.Language = v, AccountCsvText.Text);
        return new(null, changes);
    }

    /// <summary>The groups <paramref name="organization"/> can use, out of <paramref name="groups"/> (its own and its ancestors').</summary>
    public static IReadOnlyList<PermissionGroup> UsableBy(Organization organization, IEnumerable<PermissionGroup> groups)
    {
        var path = organization.AncestorIdsAndSelf();
        return groups.Where(g => path.Contains(g.OrganizationId)).ToList();
    }

    private static string Shown(string? value) => string.IsNullOrEmpty(value) ? "(empty)" : $"\"{value}\"";
}
