using System.Security.Cryptography;
using System.Text;

namespace MultiLine.Core.Invitations;

/// <summary>Random 32-byte activation tokens (URL-safe Base64) and the SHA-256 hash that is all the database keeps.</summary>
public static class ActivationTokens
{
    public static string NewToken()
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        return token.TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim())));

    public static string Link(string baseUrl, string token) => $"{baseUrl.TrimEnd('/')}/activate/{token}";
}
