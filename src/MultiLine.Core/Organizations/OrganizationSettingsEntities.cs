using MultiLine.Core.Admins;

namespace MultiLine.Core.Organizations;

/// <summary>An admin who receives the organization's batch-operation summaries by email.</summary>
public sealed class DesignatedAdmin
{
    public int OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public int AdminId { get; set; }
    public Admin? Admin { get; set; }
}

/// <summary>One change to an organization's settings: who, when, what, from and to.</summary>
public sealed class SettingsAuditEntry
{
    public int Id { get; set; }
    public int OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public DateTime AtUtc { get; set; }
    public int? AdminId { get; set; }
    public required string AdminName { get; set; }
    public required string Setting { get; set; }
    public string? OldValue { get; set; }
    public string? NewValue { get; set; }
}
