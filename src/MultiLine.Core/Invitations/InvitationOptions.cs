using System.ComponentModel.DataAnnotations;

namespace MultiLine.Core.Invitations;

/// <summary>Settings of the "Invitations" section.</summary>
public sealed class InvitationOptions
{
    public const string Section = "Invitations";

    /// <summary>Days an activation link stays valid.</summary>
    [Range(1, 365)]
    public int ExpiryDays { get; set; } = 14;

    /// <summary>The portal's public address for activation links, e.g. https://portal.example.com/. When empty the
    /// address the app listens on is used (fine for a single host; set it behind a proxy).</summary>
    public string? PublicBaseUrl { get; set; }
}

/// <summary>Builds the activation link an invitation email carries.</summary>
public interface IActivationLinks
{
    string LinkFor(string token);
}

/// <summary>Activation links under <see cref="InvitationOptions.PublicBaseUrl"/> (or http://localhost:5000/).</summary>
public sealed class ConfiguredActivationLinks(Microsoft.Extensions.Options.IOptions<InvitationOptions> options) : IActivationLinks
{
    public string LinkFor(string token) => ActivationTokens.Link(options.Value.PublicBaseUrl ?? "http://localhost:5000/", token);
}
