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
    public const string NumbersAdd = "numbers.add";
    public const string NumbersAllocate = "numbers.allocate";
    public const string NumbersWithdraw = "numbers.withdraw";
    public const string NumbersReserve = "numbers.reserve";
    public const string NumbersRelease = "numbers.release";
    public const string NumbersThreshold = "numbers.threshold";

    public static string Label(string action) => action switch
    {
        AccountEdit => "Edited",
        AccountSuspend => "Suspended",
        AccountUnsuspend => "Unsuspended",
        AccountDelete => "Deleted",
        AccountsExport => "Downloaded accounts (CSV)",
        NumbersAdd => "Added numbers",
        NumbersAllocate => "Allocated numbers to a sub-organization",
        NumbersWithdraw => "Withdrew numbers to the parent organization",
        NumbersReserve => "Reserved numbers",
        NumbersRelease => "Made reserved numbers available",
        NumbersThreshold => "Changed the number utilization alert",
        _ => action,
    };
}

/// <summary>Who is acting and from where, as the caller knows it: the page's signed-in admin, or the API token's.</summary>
public sealed record ActivityActor(int? AdminId, string AdminName, string? ClientIp, ActivitySource Source);
