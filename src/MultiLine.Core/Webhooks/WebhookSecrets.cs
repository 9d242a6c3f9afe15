using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace MultiLine.Core.Webhooks;

/// <summary>
/// Makes signing secrets and keeps them protected at rest with the app's Data Protection keys (the same key ring that
/// protects the sign-in cookies, shared by every instance through the database). The portal must sign with the plain
/// secret, so it is encrypted, not hashed.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider protection)
{
    public const string Prefix = "whsec_";
    private readonly IDataProtector _protector = protection.CreateProtector("MultiLine.Webhooks.SigningSecret.v1");

    /// <summary>A new secret: <c>whsec_</c> and 32 random bytes in URL-safe base64.</summary>
    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
