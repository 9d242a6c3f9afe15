using System.Net;
using System.Net.Sockets;

namespace MultiLine.Core.Webhooks;

/// <summary>
/// Which addresses the portal calls. Endpoints must be https://. Unless <see cref="WebhookOptions.AllowPrivateAddresses"/>
/// is on, the portal refuses loopback, private, link-local (cloud metadata), carrier-grade NAT, unspecified and multicast
/// addresses, both when an endpoint is saved (an address written as an IP or <c>localhost</c>) and when it connects
/// (every address a host name resolves to, checked at connect time so a name cannot be re-pointed inside afterwards).
/// </summary>
public static class WebhookAddresses
{
    public const string MissingMessage = "Enter the endpoint's address, starting with https://.";
    public const string HttpsOnlyMessage = "Webhook addresses must start with https:// so that events travel encrypted.";

    /// <summary>Null when <paramref name="url"/> may be saved; else the sentence that says why not.</summary>
    public static string? Refusal(string? url, bool allowPrivate)
    {
        if (string.IsNullOrWhiteSpace(url))
            return MissingMessage;
        url = url.Trim();
        if (url.Length > WebhookEndpoint.MaxUrlLength)
            return $"The address is longer than {WebhookEndpoint.MaxUrlLength:N0} characters.";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return $"\"{url}\" is not a web address. Enter one such as https://hooks.example.com/multiline.";
        if (uri.Scheme != Uri.UriSchemeHttps)
            return HttpsOnlyMessage;
        if (!string.IsNullOrEmpty(uri.UserInfo))
            return "Leave the user name and password out of the address; the signature proves the request comes from the portal.";
        if (!allowPrivate && IsPrivateHost(uri))
            return $"{uri.Host} is a local or private network address. The portal only calls public addresses.";
        return null;
    }

    private static bool IsPrivateHost(Uri uri) =>
        uri.IsLoopback
        || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IsPrivate(address));

    /// <summary>Loopback, private (RFC 1918, unique local), link-local, carrier-grade NAT, unspecified, multicast or broadcast.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0 || b[0] == 10 || b[0] == 127
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || b[0] >= 224;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || (b[0] & 0xFE) == 0xFC;
        }
        return true;
    }
}
