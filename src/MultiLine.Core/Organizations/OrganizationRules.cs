using MultiLine.Core.Accounts;

namespace MultiLine.Core.Organizations;

/// <summary>
/// The organization's own rules for its accounts (DOMAIN.md): SMTP data offload takes only email usernames, and social
/// messaging exists only where the organization has it. Written once, for the CSV check, the import worker (which applies
/// them again as they are when the row runs) and Move (which applies the destination's).
/// </summary>
public static class OrganizationRules
{
    /// <summary>Why <paramref name="username"/> cannot be an account of <paramref name="organization"/>; null when it can.</summary>
    public static string? UsernameRefusal(string username, Organization organization) =>
        organization.SmtpDataOffload && !Username.IsEmail(username)
            ? $"{Imports.ImportProblem.Quote(username)} is a phone number; organization {organization.Name} uses SMTP data offload, so the username must be an email address."
            : null;

    /// <summary>Why social messaging cannot be on for an account of <paramref name="organization"/>; null when it can.</summary>
    public static string? SocialMessagingRefusal(string shown, bool socialMessaging, Organization organization) =>
        socialMessaging && !organization.SocialMessagingEnabled
            ? $"{Imports.ImportProblem.Quote(shown)} is not allowed: organization {organization.Name} does not have social messaging."
            : null;
}
