namespace MultiLine.Core.Activity;

/// <summary>
/// One thing an administrator did: when, who, in which organization, what to which target, and what changed. Written in
/// the same transaction as the change it records (<see cref="ActivityLog"/>), so an entry exists exactly when the change
/// does. Entries keep the target's id and name as they were: they outlive a deleted account.
/// </summary>
public sealed class ActivityEntry
{
    public long Id { get; set; }
    public DateTime AtUtc { get; set; }

    /// <summary>The admin who acted; null for the system (a batch row the worker ran keeps its batch's admin).</summary>
    public int? AdminId { get; set; }
    public required string AdminName { get; set; }

    /// <summary>The organization the target belongs to; what the admin scope filter compares. Null for an act on no organization.</summary>
    public int? OrganizationId { get; set; }

    /// <summary>A stable code such as <c>account.suspend</c> (<see cref="ActivityActions"/>).</summary>
    public required string Action { get; set; }

    public ActivityTargetKind TargetKind { get; set; }
    public string? TargetId { get; set; }
    public string? TargetName { get; set; }

    /// <summary>What changed, in the admin's words ("Status: Active → Suspended").</summary>
    public string? Details { get; set; }

    public string? ClientIp { get; set; }
    public ActivitySource Source { get; set; }

    public const int MaxDetailsLength = 4000, MaxNameLength = 320;
}

public enum ActivityTargetKind
{
    None = 0,
    Account = 1,
    Number = 2,
    Batch = 3,
    Organization = 4,
    Admin = 5,
    Report = 6,
    Role = 7,
    PermissionGroup = 8,
    ApiToken = 9,
    Template = 10,
    Settings = 11,
    Webhook = 12,
}

/// <summary>Where the act came from: a page of the portal, the automation API, or the batch worker on an admin's behalf.</summary>
public enum ActivitySource { Portal = 0, Api = 1, Batch = 2 }

/// <summary>The action codes, one per kind of act; issue-wide audit adds its own beside these.</summary>
public static class ActivityActions
{
    public const string AccountEdit = "account.edit";
    public const string AccountSuspend = "account.suspend";
    public const string AccountUnsuspend = "account.unsuspend";
    public const string AccountDelete = "account.delete";
    public const string AccountsExport = "accounts.export";
    public const string AdminInvite = "admin.invite";
    public const string AdminResend = "admin.resend";
    public const string AdminDisable = "admin.disable";
    public const string AdminEnable = "admin.enable";
    public const string AdminChange = "admin.change";
    public const string AdminPasswordSet = "admin.password-set";
    public const string RoleCreate = "role.create";
    public const string RoleEdit = "role.edit";
    public const string RoleDelete = "role.delete";

    // Issue-wide audit: every other write, download and sign-in (adr-activity-audit.md).
    public const string AccountCreate = "account.create";
    public const string AccountInvite = "account.invite";
    public const string ImportSubmit = "import.submit";
    public const string UpdateSubmit = "update.submit";
    public const string MoveSubmit = "move.submit";
    public const string ResendSubmit = "resend.submit";
    public const string BulkSubmit = "bulk.submit";
    public const string BatchCancel = "batch.cancel";
    public const string BatchUndo = "batch.undo";
    public const string BatchReportDownload = "batch.report";
    public const string TemplateDownload = "template.download";
    public const string OutboxMessageDownload = "outbox.download";
    public const string SettingsEdit = "settings.edit";
    public const string InvitationTemplateEdit = "template.edit";
    public const string ApiTokenCreate = "apitoken.create";
    public const string ApiTokenRevoke = "apitoken.revoke";
    public const string NumbersAdd = "numbers.add";
    public const string NumbersAllocate = "numbers.allocate";
    public const string NumbersWithdraw = "numbers.withdraw";
    public const string NumbersReserve = "numbers.reserve";
    public const string NumbersRelease = "numbers.release";
    public const string NumbersThreshold = "numbers.threshold";
    public const string SignIn = "signin.success";
    public const string SignInFailure = "signin.failure";
    public const string SignInLockout = "signin.lockout";
    public const string SignInLocked = "signin.locked";
    public const string SignOut = "signout";
    public const string ActivityExport = "activity.export";
    public const string OrganizationCreate = "organization.create";
    public const string OrganizationRename = "organization.rename";
    public const string OrganizationDelete = "organization.delete";
    public const string PermissionGroupCreate = "permission-group.create";
    public const string PermissionGroupEdit = "permission-group.edit";
    public const string PermissionGroupDelete = "permission-group.delete";
    public const string PermissionGroupDefault = "permission-group.default";
    public const string WebhookCreate = "webhook.create";
    public const string WebhookEdit = "webhook.edit";
    public const string WebhookDelete = "webhook.delete";
    public const string WebhookSecretReveal = "webhook.secret-reveal";
    public const string WebhookSecretRotate = "webhook.secret-rotate";
    public const string WebhookTest = "webhook.test";

    public static string Label(string action) => action switch
    {
        AccountEdit => "Edited",
        AccountSuspend => "Suspended",
        AccountUnsuspend => "Unsuspended",
        AccountDelete => "Deleted",
        AccountsExport => "Downloaded accounts (CSV)",
        AdminInvite => "Invited administrator",
        AdminResend => "Resent administrator invitation",
        AdminDisable => "Disabled administrator",
        AdminEnable => "Enabled administrator",
        AdminChange => "Changed administrator role or scope",
        AdminPasswordSet => "Set password from invitation",
        RoleCreate => "Created role",
        RoleEdit => "Edited role",
        RoleDelete => "Deleted role",
        AccountCreate => "Created account",
        AccountInvite => "Sent invitation",
        ImportSubmit => "Submitted import",
        UpdateSubmit => "Submitted update from CSV",
        MoveSubmit => "Submitted move",
        ResendSubmit => "Submitted resend invitations",
        BulkSubmit => "Submitted bulk action",
        BatchCancel => "Cancelled batch",
        BatchUndo => "Undid import",
        BatchReportDownload => "Downloaded batch report (CSV)",
        TemplateDownload => "Downloaded account template",
        OutboxMessageDownload => "Downloaded email (.eml)",
        SettingsEdit => "Changed settings",
        InvitationTemplateEdit => "Edited invitation template",
        ApiTokenCreate => "Created API token",
        ApiTokenRevoke => "Revoked API token",
        NumbersAdd => "Added numbers",
        NumbersAllocate => "Allocated numbers to sub-organization",
        NumbersWithdraw => "Withdrew numbers to parent organization",
        NumbersReserve => "Reserved numbers",
        NumbersRelease => "Released reserved numbers",
        NumbersThreshold => "Changed number utilization alert",
        SignIn => "Signed in",
        SignInFailure => "Sign-in failed",
        SignInLockout => "Locked out",
        SignInLocked => "Sign-in refused (locked)",
        SignOut => "Signed out",
        ActivityExport => "Downloaded administrator activity (CSV)",
        OrganizationCreate => "Created organization",
        OrganizationRename => "Renamed organization",
        OrganizationDelete => "Deleted organization",
        PermissionGroupCreate => "Created permission group",
        PermissionGroupEdit => "Edited permission group",
        PermissionGroupDelete => "Deleted permission group",
        PermissionGroupDefault => "Chose default permission group",
        WebhookCreate => "Added webhook endpoint",
        WebhookEdit => "Edited webhook endpoint",
        WebhookDelete => "Deleted webhook endpoint",
        WebhookSecretReveal => "Revealed webhook secret",
        WebhookSecretRotate => "Rotated webhook secret",
        WebhookTest => "Sent test webhook event",
        _ => action,
    };

    /// <summary>Every code this class knows, for the report's action filter (codes other features add appear once they are listed here).</summary>
    public static IReadOnlyList<string> All { get; } = typeof(ActivityActions).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (string)f.GetRawConstantValue()!).ToArray();
}

/// <summary>Who is acting and from where, as the caller knows it: the page's signed-in admin, or the API token's.</summary>
public sealed record ActivityActor(int? AdminId, string AdminName, string? ClientIp, ActivitySource Source)
{
    /// <summary>The name a batch keeps for who submitted it: an API caller's ends in "(API)".</summary>
    public string BatchAdminName => Source == ActivitySource.Api ? $"{AdminName} (API)" : AdminName;
}
