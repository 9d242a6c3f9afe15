namespace MultiLine.Core.Organizations;

/// <summary>"User Permissions": the features its accounts get. Defined on an organization, inherited by its sub-organizations.</summary>
public sealed class PermissionGroup
{
    public int Id { get; set; }
    public int OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public required string Name { get; set; }
    public Features Features { get; set; }

    /// <summary>The default group of the organization that defines it (and of sub-organizations without their own default).</summary>
    public bool IsDefault { get; set; }
}

[Flags]
public enum Features
{
    None = 0,
    VoiceCalling = 1,
    Sms = 2,
    SocialMessaging = 4,
    CallRecording = 8,
}
