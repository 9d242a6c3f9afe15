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
}
