using System.Net;
using System.Net.Sockets;

namespace MultiLine.Core.Webhooks;

/// <summary>
/// Which addresses the portal calls. Endpoints must be https://. Unless <see cref="WebhookOptions.AllowPrivateAddresses"/>
/// is on, the portal refuses every address that is not public unicast (<see cref="IsPrivate"/>), both when an endpoint
/// is saved (an address written as an IP or <c>localhost</c>) and when it connects (every address a host name resolves
/// to, checked at connect time so a name cannot be re-pointed inside afterwards).
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

    /// <summary>
    /// Not a public unicast address: loopback, private (RFC 1918, unique local), link-local, carrier-grade NAT, the IETF
    /// protocol block, benchmarking, documentation, reserved, unspecified, multicast or broadcast. An IPv6 address that
    /// carries an IPv4 address (IPv4-mapped or -compatible, NAT64, 6to4, Teredo) is judged by that IPv4 address, since
    /// the packets end up there.
    /// </summary>
    public static bool IsPrivate(IPAddress address)
    {
        var b = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return IsPrivateIPv4(b);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return true;
        if (EmbeddedIPv4(b) is { } embedded)
            return IsPrivateIPv4(embedded);
        return IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (b[0] & 0xFE) == 0xFC                                                   // fc00::/7 unique local
            || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4] == 0x00 && b[5] == 0x01) // 64:ff9b:1::/48 local-use NAT64
            || (b[0] == 0x01 && b.AsSpan(1, 7).IndexOfAnyExcept((byte)0) < 0)         // 100::/64 discard
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8);         // 2001:db8::/32 documentation
    }

    /// <summary>
    /// The IPv4 address an IPv6 address carries: IPv4-mapped (::ffff:0:0/96) and IPv4-compatible (::/96, which also
    /// holds :: and ::1), NAT64 (64:ff9b::/96), 6to4 (2002::/16) and Teredo (2001::/32, the client's address inverted).
    /// </summary>
    private static byte[]? EmbeddedIPv4(byte[] b)
    {
        if (b.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0 && ((b[10] == 0xFF && b[11] == 0xFF) || (b[10] == 0 && b[11] == 0)))
            return b[12..16];
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
            return b[12..16];
        if (b[0] == 0x20 && b[1] == 0x02)
            return b[2..6];
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
            return [(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]];
        return null;
    }

    private static bool IsPrivateIPv4(byte[] b) =>
        b[0] == 0 || b[0] == 10 || b[0] == 127                      // "this network", private, loopback
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)               // 100.64.0.0/10 carrier-grade NAT
        || (b[0] == 169 && b[1] == 254)                             // link-local (cloud metadata)
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)                // private
        || (b[0] == 192 && b[1] == 0 && (b[2] == 0 || b[2] == 2))   // 192.0.0.0/24 IETF protocol assignments, 192.0.2.0/24 documentation
        || (b[0] == 192 && b[1] == 88 && b[2] == 99)                // 192.88.99.0/24 6to4 relay anycast
        || (b[0] == 192 && b[1] == 168)                             // private
        || (b[0] == 198 && (b[1] == 18 || b[1] == 19))              // 198.18.0.0/15 benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)               // documentation
        || (b[0] == 203 && b[1] == 0 && b[2] == 113)                // documentation
        || b[0] >= 224;                                             // multicast, reserved, broadcast
}
