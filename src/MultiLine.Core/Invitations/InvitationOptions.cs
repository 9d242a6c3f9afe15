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

/// <summary>Where the portal is reached from an email: activation links and links to batches.</summary>
public interface IPortalLinks
{
    /// <summary>The portal's address, e.g. <c>https://portal.example.com/</c>.</summary>
    string BaseUrl { get; }
}

public static class PortalLinks
{
    public static string Activation(this IPortalLinks links, string token) => ActivationTokens.Link(links.BaseUrl, token);

    public static string Batch(this IPortalLinks links, int batchId) => $"{links.BaseUrl.TrimEnd('/')}/reports/{batchId}";

    /// <summary>The page where an invited administrator sets a password with the single-use token.</summary>
    public static string AdminSetPassword(this IPortalLinks links, string token) =>
        $"{links.BaseUrl.TrimEnd('/')}/admin/set-password?token={Uri.EscapeDataString(token)}";

    public static string NumberUtilization(this IPortalLinks links) => $"{links.BaseUrl.TrimEnd('/')}/numbers/utilization";
}

/// <summary>Links under <see cref="InvitationOptions.PublicBaseUrl"/> (or http://localhost:5000/).</summary>
public sealed class ConfiguredPortalLinks(Microsoft.Extensions.Options.IOptions<InvitationOptions> options) : IPortalLinks
{
    public string BaseUrl => options.Value.PublicBaseUrl ?? "http://localhost:5000/";
}
