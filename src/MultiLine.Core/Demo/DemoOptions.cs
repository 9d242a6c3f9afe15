using System.ComponentModel.DataAnnotations;

namespace MultiLine.Core.Demo;

/// <summary>Demo data for the embedded default. Seeded only into an empty database.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public bool Seed { get; set; }

    [Required, EmailAddress]
    public string AdminEmail { get; set; } = "admin@multiline.example";

    [Required, MinLength(8)]
    public string AdminPassword { get; set; } = "MultiLine-Demo-2026";

    /// <summary>How many accounts to create across the organizations (a benchmark sets 200,000).</summary>
    [Range(0, 1_000_000)]
    public int Accounts { get; set; } = 300;

    /// <summary>
    /// An API token registered for the demo super admin, for scripts and demos (e.g. the README's curl walk-through).
    /// Empty: none. At least 20 characters, since it opens the API.
    /// </summary>
    [MinLength(20)]
    public string? ApiToken { get; set; }
}
