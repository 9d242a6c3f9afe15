using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Admins;

/// <summary>A token as the API tokens page lists it. The secret is never shown again after creation.</summary>
public sealed record ApiTokenView(int Id, string Name, string Prefix, DateTime CreatedAtUtc, DateTime? ExpiresAtUtc, DateTime? RevokedAtUtc, DateTime? LastUsedAtUtc)
{
    public bool IsActive(DateTime nowUtc) => RevokedAtUtc is null && (ExpiresAtUtc is null || ExpiresAtUtc > nowUtc);
}

/// <summary>A freshly created token: <see cref="Secret"/> is shown once, then only its hash exists.</summary>
public sealed record CreatedApiToken(ApiTokenView Token, string Secret);

/// <summary>Who a presented token belongs to, or why it is refused (<see cref="Error"/> in words an admin understands).</summary>
public sealed record ApiTokenCheck(SignedInAdmin? Admin, int? TokenId, string? TokenName, string? Error)
{
    public bool Succeeded => Admin is not null;
}

/// <summary>Creates, lists, revokes and checks personal API tokens.</summary>
public sealed class ApiTokens(SystemDbContextFactory factory, TimeProvider clock)
{
    public const string SecretPrefix = "mlp_";
    public const int MaxNameLength = 100;
    public const string Unknown = "The API token is not valid.";
    public const string Revoked = "The API token has been revoked.";
    public const string Expired = "The API token has expired.";
    public const string AdminDisabled = "The administrator this API token belongs to is disabled.";

    /// <summary>Last-used times are written at most this often per token, so a busy script does not write on every call.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    public async Task<IReadOnlyList<ApiTokenView>> ListAsync(int adminId, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        return await db.ApiTokens.AsNoTracking()
            .Where(t => t.AdminId == adminId)
            .OrderByDescending(t => t.Id)
            .Select(t => new ApiTokenView(t.Id, t.Name, t.Prefix, t.CreatedAtUtc, t.ExpiresAtUtc, t.RevokedAtUtc, t.LastUsedAtUtc))
            .ToListAsync(cancellationToken);
    }

    /// <summary>A new random token: <c>mlp_</c> and 32 random bytes in base64url.</summary>
    public Task<CreatedApiToken> CreateAsync(int adminId, string name, DateTime? expiresAtUtc, ActivityActor actor, CancellationToken cancellationToken = default) =>
        RegisterAsync(adminId, name, SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32)), expiresAtUtc, actor, cancellationToken);

    /// <summary>Stores a given secret (the demo token from configuration); <see cref="CreateAsync"/> for everything else.</summary>
    public async Task<CreatedApiToken> RegisterAsync(int adminId, string name, string secret, DateTime? expiresAtUtc, ActivityActor? actor = null, CancellationToken cancellationToken = default)
    {
        var trimmed = string.IsNullOrWhiteSpace(name) ? "API token" : name.Trim();
        if (trimmed.Length > MaxNameLength)
            trimmed = trimmed[..MaxNameLength];
        var token = NewToken(adminId, trimmed, secret, clock.GetUtcNow().UtcDateTime, expiresAtUtc);
        await using var db = await factory.CreateAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        if (actor is not null)
        {
            // Saved after the token, for its id; the secret is never recorded, only its prefix.
            await RecordAsync(db, actor, token.CreatedAtUtc, ActivityActions.ApiTokenCreate, token,
                $"Prefix {token.Prefix}; {(token.ExpiresAtUtc is { } expires ? $"expires {expires:yyyy-MM-dd}" : "never expires")}", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new CreatedApiToken(new ApiTokenView(token.Id, token.Name, token.Prefix, token.CreatedAtUtc, token.ExpiresAtUtc, null, null), secret);
    }

    /// <summary>Revokes one of the admin's own tokens; false when it is not theirs or already revoked.</summary>
    public async Task<bool> RevokeAsync(int adminId, int tokenId, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        var now = clock.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var revoked = await db.ApiTokens
            .Where(t => t.Id == tokenId && t.AdminId == adminId && t.RevokedAtUtc == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAtUtc, now), cancellationToken) == 1;
        if (!revoked)
            return false;
        var token = await db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == tokenId, cancellationToken);
        await RecordAsync(db, actor, now, ActivityActions.ApiTokenRevoke, token, $"Prefix {token.Prefix}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>A token belongs to its admin's organization (the scope's root; none for an admin of all organizations).</summary>
    private static async Task RecordAsync(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, string action, ApiToken token, string details, CancellationToken cancellationToken)
    {
        var organizationId = await db.Admins.Where(a => a.Id == token.AdminId).Select(a => a.ScopeOrganizationId).FirstOrDefaultAsync(cancellationToken);
        ActivityLog.Record(db, actor, nowUtc, action, organizationId, ActivityTargetKind.ApiToken,
            token.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), token.Name, details);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Finds the token's admin with the role and scope they have now, and records the use.</summary>
    public async Task<ApiTokenCheck> CheckAsync(string secret, CancellationToken cancellationToken = default)
    {
        var hash = Hash(secret);
        await using var db = await factory.CreateAsync(cancellationToken);
        var token = await db.ApiTokens.AsNoTracking()
            .Include(t => t.Admin).ThenInclude(a => a!.Role)
            .Include(t => t.Admin).ThenInclude(a => a!.ScopeOrganization)
            .FirstOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (token?.Admin?.Role is not { } role)
            return new ApiTokenCheck(null, null, null, Unknown);
        if (token.Admin.IsDisabled)
            return new ApiTokenCheck(null, token.Id, token.Name, AdminDisabled);
        var now = clock.GetUtcNow().UtcDateTime;
        if (token.RevokedAtUtc is not null)
            return new ApiTokenCheck(null, token.Id, token.Name, Revoked);
        if (token.ExpiresAtUtc <= now)
            return new ApiTokenCheck(null, token.Id, token.Name, Expired);

        if (token.LastUsedAtUtc is null || now - token.LastUsedAtUtc >= LastUsedResolution)
            await db.ApiTokens.Where(t => t.Id == token.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAtUtc, now), cancellationToken);
        var admin = token.Admin;
        return new ApiTokenCheck(
            new SignedInAdmin(admin.Id, admin.Email, admin.DisplayName, role.Name, role.Privileges, admin.ScopeOrganization?.Path, admin.ScopeOrganization?.Name),
            token.Id, token.Name, null);
    }

    /// <summary>Lower-case hex SHA-256 of the secret. Tokens are long random strings, so a fast hash is enough.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static ApiToken NewToken(int adminId, string name, string secret, DateTime nowUtc, DateTime? expiresAtUtc) => new()
    {
        AdminId = adminId,
        Name = name,
        TokenHash = Hash(secret),
        Prefix = secret[..Math.Min(secret.Length, SecretPrefix.Length + 6)],
        CreatedAtUtc = nowUtc,
        ExpiresAtUtc = expiresAtUtc,
    };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
