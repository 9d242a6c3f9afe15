namespace MultiLine.Core.Admins;

/// <summary>
/// A personal API token of an admin. Only the SHA-256 of the secret is stored; <see cref="Prefix"/> is the start of the
/// secret, shown so that the admin can tell tokens apart. The token acts with its admin's current role and scope.
/// </summary>
public sealed class ApiToken
{
    public int Id { get; set; }
    public int AdminId { get; set; }
    public Admin? Admin { get; set; }
    public required string Name { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole secret.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The first characters of the secret, e.g. <c>mlp_3kQ9xZ</c>.</summary>
    public required string Prefix { get; set; }

    public DateTime CreatedAtUtc { get; set; }
    public DateTime? ExpiresAtUtc { get; set; }
    public DateTime? RevokedAtUtc { get; set; }
    public DateTime? LastUsedAtUtc { get; set; }

    public bool IsActive(DateTime nowUtc) => RevokedAtUtc is null && (ExpiresAtUtc is null || ExpiresAtUtc > nowUtc);
}
