using System.ComponentModel.DataAnnotations;

namespace MultiLine.Core.Imports;

/// <summary>Limits of one CSV upload, bound from the "Import" configuration section.</summary>
public sealed class ImportOptions
{
    public const string Section = "Import";

    /// <summary>Most data rows (accounts) one file may hold; a larger file is refused as a whole.</summary>
    [Range(1, 1_000_000)]
    public int MaxRows { get; set; } = 1000;

    /// <summary>Largest file accepted, in bytes.</summary>
    [Range(1024, 1L << 30)]
    public long MaxFileBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>
    /// Most an Excel workbook may unpack to, in bytes (and characters of any one part): a zip can pack a sheet of
    /// gigabytes into a few kilobytes, so the declared sizes are checked before reading and the XML reader stops here.
    /// </summary>
    [Range(1024, 1L << 30)]
    public int MaxUnpackedBytes { get; set; } = 50 * 1024 * 1024;
}
