using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace MultiLine.Core.Imports;

/// <summary>
/// What the text of a cell is, for the CSV reader and the per-cell rules alike. Spreadsheets, web pages and copy-paste
/// leave invisible characters around values: no-break and other Unicode spaces, zero-width spaces and joiners, the word
/// joiner, stray byte order marks. They are trimmed like spaces, and inside a value they stand for a space.
/// </summary>
internal static class CellText
{
    /// <summary>U+FFFD, what a decoder puts for bytes it cannot read.</summary>
    public const char Unreadable = '\uFFFD';

    private static readonly SearchValues<char> Invisible = SearchValues.Create(AllChars().Where(IsInvisible).ToArray());

    /// <summary>The value without invisible characters at either end; empty when it holds nothing else, null when not given.</summary>
    [return: NotNullIfNotNull(nameof(text))]
    public static string? Trim(string? text)
    {
        if (text is null)
            return null;
        var start = text.AsSpan().IndexOfAnyExcept(Invisible);
        if (start < 0)
            return "";
        var end = text.AsSpan().LastIndexOfAnyExcept(Invisible) + 1;
        return start == 0 && end == text.Length ? text : text[start..end];
    }

    /// <summary>
    /// The value with each invisible character inside it turned into a plain space. Phone rules take spaces as
    /// formatting, so "+1&#160;415&#160;555&#160;0123" is a number; an email address takes none, so a hidden character
    /// in one shows up as the space it would otherwise hide.
    /// </summary>
    public static string InvisibleAsSpaces(string text)
    {
        if (text.AsSpan().IndexOfAny(Invisible) < 0)
            return text;
        return string.Create(text.Length, text, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                chars[i] = IsInvisible(source[i]) ? ' ' : source[i];
        });
    }

    /// <summary>
    /// A control character: C0 but tab, carriage return and line feed (which quoted cells may hold), DEL, C1. Never typed
    /// on purpose, and stripping one could change what a value means, so a cell holding one is reported.
    /// </summary>
    public static bool IsControl(char c) => char.IsControl(c) && c is not ('\t' or '\r' or '\n');

    /// <summary>Where the value holds a <see cref="IsControl">control character</see>, or -1.</summary>
    public static int IndexOfControl(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsControl(text[i]))
                return i;
        }
        return -1;
    }

    private static bool IsInvisible(char c) =>
        c is '\t' or '\r' or '\n' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF'
        || (char.IsWhiteSpace(c) && !char.IsControl(c));

    private static IEnumerable<char> AllChars() => Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i);
}
