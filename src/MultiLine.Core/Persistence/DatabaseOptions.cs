using System.ComponentModel.DataAnnotations;

namespace MultiLine.Core.Persistence;

/// <summary>
/// Which database engine, and how to reach it: the embedded SQLite file (<see cref="Path"/>, relative paths are
/// resolved against the app's folder) or a server's connection string (<see cref="ConnectionString"/>).
/// </summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";
    public const string DefaultProvider = "Sqlite";

    /// <summary>The engine: <c>Sqlite</c> (embedded, the default) or <c>PostgreSQL</c>.</summary>
    [Required]
    public string Provider { get; set; } = DefaultProvider;

    /// <summary>The SQLite file.</summary>
    [Required]
    public string Path { get; set; } = "data/multiline.db";

    /// <summary>A server engine's connection string (an Npgsql connection string for PostgreSQL); unused by SQLite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a write waits for another writer before giving up.</summary>
    [Range(100, 120_000)]
    public int BusyTimeoutMilliseconds { get; set; } = 10_000;

    /// <summary>The SQLite connection string for <see cref="Path"/>, creating its folder.</summary>
    public string SqliteConnectionString(string contentRoot)
    {
        var file = System.IO.Path.IsPathRooted(Path) ? Path : System.IO.Path.Combine(contentRoot, Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        return $"Data Source={file};Pooling=True;Default Timeout={Math.Max(1, BusyTimeoutMilliseconds / 1000)}";
    }
}
