using MultiLine.Core.Accounts;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Invitations;

/// <summary>
/// Whether an account can be invited at all, apart from capacity: written once, for the issuer, the CSV preview (which
/// warns about rows that will import but not be invited) and the move plan.
/// </summary>
public static class InvitationRules
{
    public const string NeedsEmailAddress =
        "The username is a phone number. Invitations are sent by email, so this account needs an email address as its username.";

    /// <summary>Why an account with <paramref name="username"/> in <paramref name="organization"/> cannot get an invitation; null when it can.</summary>
    public static string? Refusal(string username, Organization organization)
    {
        if (!Username.IsEmail(username))
            return NeedsEmailAddress;
        if (organization.AllowedEmailDomains.Count == 0)
            return null;
        var domain = username.AsSpan(username.LastIndexOf('@') + 1);
        foreach (var allowed in organization.AllowedEmailDomains)
            if (domain.Equals(allowed, StringComparison.OrdinalIgnoreCase))
                return null;
        return $"Invitations of {organization.Name} may only go to {string.Join(", ", organization.AllowedEmailDomains)}; {domain.ToString().ToLowerInvariant()} is not allowed.";
    }
}
