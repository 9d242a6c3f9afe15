using System.ComponentModel.DataAnnotations;

namespace MultiLine.Core.Persistence;

/// <summary>Which database engine, and where the embedded SQLite database lives (relative paths are resolved against the app's folder).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string DefaultProvider = "Sqlite";

    /// <summary>The engine: <c>Sqlite</c> (embedded, the default).</summary>
    [Required]
    public string Provider { get; set; } = DefaultProvider;

    [Required]
    public string Path { get; set; } = "data/multiline.db";

    /// <summary>How long a write waits for another writer before giving up.</summary>
    [Range(100, 120_000)]
    public int BusyTimeoutMilliseconds { get; set; } = 10_000;

    public string ConnectionString(string contentRoot)
    {
        var file = System.IO.Path.IsPathRooted(Path) ? Path : System.IO.Path.Combine(contentRoot, Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        return $"Data Source={file};Pooling=True;Default Timeout={Math.Max(1, BusyTimeoutMilliseconds / 1000)}";
    }
}
