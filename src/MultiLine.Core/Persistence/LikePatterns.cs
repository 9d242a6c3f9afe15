namespace MultiLine.Core.Persistence;

/// <summary>LIKE patterns with backslash as the escape character, as every engine's search writes them.</summary>
public static class LikePatterns
{
    /// <summary>Matches any value that contains <paramref name="text"/> literally (its %, _ and \ escaped).</summary>
    public static string Containing(string text) =>
        $"%{text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_")}%";
}
