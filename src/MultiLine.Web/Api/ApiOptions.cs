using System.ComponentModel.DataAnnotations;

namespace MultiLine.Web.Api;

/// <summary>Limits of the automation API, bound from the "Api" configuration section.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Requests one token may make per <see cref="WindowSeconds"/>; more get 429 with Retry-After.</summary>
    [Range(1, 100_000)]
    public int PermitLimit { get; set; } = 120;

    [Range(1, 3600)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>Largest JSON body (move, resend) in bytes. CSV uploads follow the Import limits instead.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public long MaxJsonBytes { get; set; } = 1024 * 1024;

    /// <summary>Most account ids one move or resend request may name.</summary>
    [Range(1, 100_000)]
    public int MaxAccountIds { get; set; } = 10_000;
}
