namespace MultiLine.Core.Organizations;

/// <summary>A tenant. Organizations form a tree; <see cref="Path"/> makes subtree queries a prefix match.</summary>
public sealed class Organization
{
    public int Id { get; set; }
    public required string Name { get; set; }
    public int? ParentId { get; set; }
    public Organization? Parent { get; set; }

    /// <summary>Materialized path such as <c>/1/4/</c>: the ids from the root down to this organization.</summary>
    public string Path { get; set; } = "/";

    /// <summary>WhatsApp, WeChat and LINE for the organization's accounts.</summary>
    public bool SocialMessagingEnabled { get; set; }

    /// <summary>When on, every account username must be an email address.</summary>
    public bool SmtpDataOffload { get; set; }

    /// <summary>Email domains invitations may go to; empty means any.</summary>
    public List<string> AllowedEmailDomains { get; set; } = [];

    // The three settings above always hold the organization's effective value, so every reader (import, invitations,
    // Move, the API) reads one column. When an Inherits… flag is on, the value is a copy of the parent's, kept so by
    // OrganizationSettings whenever an ancestor changes (see docs/adr-organization-tree.md).

    /// <summary>Social messaging follows the parent organization.</summary>
    public bool InheritsSocialMessaging { get; set; }

    /// <summary>SMTP data offload follows the parent organization.</summary>
    public bool InheritsSmtpDataOffload { get; set; }

    /// <summary>The allowed email domains follow the parent organization.</summary>
    public bool InheritsAllowedEmailDomains { get; set; }

    /// <summary>
    /// The default permission group this organization chose (its own or an inherited one); null follows the parent's
    /// choice, or a group flagged <see cref="PermissionGroup.IsDefault"/> where none was chosen.
    /// </summary>
    public int? DefaultPermissionGroupId { get; set; }

    /// <summary>
    /// Bumped by every unit of work that takes capacity (numbers, pending accounts) in this organization: the conditional
    /// update locks the organization's row, so capacity checks of concurrent transactions run one after the other on any database.
    /// </summary>
    public int CapacityVersion { get; set; }

    /// <summary>Utilization (percent of its numbers in use) at which the designated admins are emailed; null: off.</summary>
    public int? UtilizationThresholdPercent { get; set; }

    /// <summary>When the alert for the current crossing was queued; cleared when utilization drops below the threshold again.</summary>
    public DateTime? UtilizationAlertSentAtUtc { get; set; }

    public List<PermissionGroup> PermissionGroups { get; set; } = [];

    public static string PathFor(Organization? parent, int id) => $"{parent?.Path ?? "/"}{id}/";

    /// <summary>The ids on the path from the root to this organization, root first.</summary>
    public IReadOnlyList<int> AncestorIdsAndSelf() => IdsOnPath(Path);

    /// <summary>The ids in a materialized path such as <c>/1/4/</c>, root first.</summary>
    public static IReadOnlyList<int> IdsOnPath(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
}
