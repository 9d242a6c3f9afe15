namespace MultiLine.Core.Common;

/// <summary>
/// What a search box finds: text anywhere in a field, case folded, the admin's <c>%</c>, <c>_</c> and <c>\</c> taken
/// literally. Used with <c>EF.Functions.Like(field.ToLower(), pattern, TextSearch.Escape)</c>: lower() on the field
/// because LIKE folds case on SQLite but not on PostgreSQL.
/// </summary>
public static class TextSearch
{
    public const string Escape = "\\";

    /// <summary>The LIKE pattern for the trimmed text, or null when there is nothing to search for.</summary>
    public static string? ContainsPattern(string? text) =>
        string.IsNullOrWhiteSpace(text)
            ? null
            : Persistence.LikePatterns.Containing(text.Trim().ToLowerInvariant());
}
