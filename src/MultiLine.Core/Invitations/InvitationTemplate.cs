using MultiLine.Core.Accounts;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Invitations;

/// <summary>An organization's own invitation email in one language. Without one, the built-in text is used.</summary>
public sealed class InvitationTemplate
{
    public int Id { get; set; }
    public int OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public Language Language { get; set; }
    public required string Subject { get; set; }
    public required string HtmlBody { get; set; }
    public required string TextBody { get; set; }
    public DateTime UpdatedAtUtc { get; set; }
    public string? UpdatedBy { get; set; }
}

/// <summary>The three parts of an invitation email, with placeholders still in them.</summary>
public sealed record TemplateContent(string Subject, string HtmlBody, string TextBody);
