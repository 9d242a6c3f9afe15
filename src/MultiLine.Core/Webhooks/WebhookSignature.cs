using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace MultiLine.Core.Webhooks;

/// <summary>
/// The <c>MultiLine-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c>, where the HMAC's key
/// is the secret's UTF-8 bytes and its message is <c>"{t}.{body}"</c>. Receivers recompute it over the raw body, compare
/// in constant time and refuse an old <c>t</c> (docs/adr-webhooks.md has the snippet).
/// </summary>
public static class WebhookSignature
{
    public const string Header = "MultiLine-Signature";
    public const string EventHeader = "MultiLine-Event";
    public const string DeliveryHeader = "MultiLine-Delivery";

    public static string Create(string secret, long timestamp, string body)
    {
        var message = Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.{body}");
        var hash = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(hash)}";
    }

    /// <summary>What a receiver does: true when a <c>v1</c> of the header matches and <c>t</c> is within <paramref name="tolerance"/> of now.</summary>
    public static bool Verify(string secret, string header, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        long? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(','))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2)
                continue;
            if (pair[0].Trim() == "t" && long.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                timestamp = t;
            else if (pair[0].Trim() == "v1")
                signatures.Add(pair[1].Trim());
        }
        if (timestamp is not { } sent || Math.Abs(now.ToUnixTimeSeconds() - sent) > tolerance.TotalSeconds)
            return false;
        var expected = Encoding.ASCII.GetBytes(Create(secret, sent, body).Split("v1=")[1]);
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), expected));
    }
}
