namespace MultiLine.Core.Common;

/// <summary>Counted nouns for messages: "1 row", "2 rows", "1,000 accounts". English plurals only, by suffix.</summary>
public static class Words
{
    /// <summary><paramref name="count"/> and the noun, plural unless the count is one: "1 row", "0 rows", "1,250 rows".</summary>
    public static string Count(int count, string singular, string? plural = null) =>
        $"{count:N0} {(count == 1 ? singular : plural ?? Plural(singular))}";

    /// <summary>"has"/"have" to follow a count.</summary>
    public static string Has(int count) => count == 1 ? "has" : "have";

    /// <summary>"is"/"are" to follow a count.</summary>
    public static string Is(int count) => count == 1 ? "is" : "are";

    private static string Plural(string singular) =>
        singular.EndsWith('y') && !singular.EndsWith("ay") && !singular.EndsWith("ey") ? singular[..^1] + "ies"
        : singular.EndsWith('s') || singular.EndsWith("sh") || singular.EndsWith("ch") || singular.EndsWith('x') ? singular + "es"
        : singular + "s";
}
