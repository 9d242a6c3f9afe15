using MultiLine.Core.Accounts;
using MultiLine.Core.Common;

namespace MultiLine.Core.Numbers;

/// <summary>One number of a pasted or uploaded list: where it was, as written, in E.164 when it reads as one, and why it is refused.</summary>
public sealed record NumberListLine(int Line, string Text, string? E164, string? Refusal)
{
    public bool IsRefused => Refusal is not null;

    /// <summary>"Line 4: +14155550100 already belongs to Acme West."</summary>
    public string Describe() => $"Line {Line}: {Refusal}";
}

/// <summary>
/// Reads a list of numbers as an admin pastes or uploads it: one a line, or separated by commas, semicolons or tabs;
/// blank entries are skipped. Each entry must be a phone number with its country code (E.164); one written twice is
/// refused on its later line.
/// </summary>
public static class NumberList
{
    /// <summary>Most numbers one list may add, as a range.</summary>
    public const int MaxNumbers = NumberInventory.MaxRangeSize;

    public static IReadOnlyList<NumberListLine> Parse(string? text)
    {
        var lines = new List<NumberListLine>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var lineNumber = 0;
        foreach (var line in (text ?? "").Split('\n'))
        {
            lineNumber++;
            foreach (var raw in line.Split([',', ';', '\t', '\r']))
            {
                var entry = raw.Trim().Trim('"').Trim();
                if (entry.Length == 0)
                    continue;
                if (!Username.TryNormalizePhone(entry, out var e164, out var error))
                    lines.Add(new NumberListLine(lineNumber, entry, null, error));
                else if (seen.TryGetValue(e164!, out var first))
                    lines.Add(new NumberListLine(lineNumber, entry, e164, $"{e164} is also on line {first}."));
                else
                {
                    seen.Add(e164!, lineNumber);
                    lines.Add(new NumberListLine(lineNumber, entry, e164, null));
                }
            }
        }
        return lines;
    }

    /// <summary>Consecutive numbers from <paramref name="firstE164"/>, as a list, or why the range cannot be made.</summary>
    public static bool TryRange(string firstE164, int count, out IReadOnlyList<string> numbers, out string? error)
    {
        numbers = [];
        if (count is < 1 or > MaxNumbers)
        {
            error = $"A range holds 1 to {MaxNumbers:N0} numbers.";
            return false;
        }
        if (!Username.TryNormalizePhone(firstE164, out var first, out var phoneError))
        {
            error = $"First number {phoneError}";
            return false;
        }
        var digits = first![1..];
        var start = long.Parse(digits);
        if ((start + count - 1).ToString().Length != digits.Length)
        {
            error = "The range runs past the last number with that many digits.";
            return false;
        }
        numbers = Enumerable.Range(0, count).Select(i => "+" + (start + i)).ToList();
        error = null;
        return true;
    }

    /// <summary>
    /// A series: the start of the numbers meant, with its country code, such as <c>+1415</c> (formatting is ignored).
    /// Empty means every number.
    /// </summary>
    public static bool TryNormalizeSeries(string? text, out string prefix, out string? error)
    {
        var compact = new string((text ?? "").Where(c => !char.IsWhiteSpace(c) && c is not ('-' or '.' or '(' or ')')).ToArray());
        if (compact.StartsWith("00", StringComparison.Ordinal))
            compact = "+" + compact[2..];
        prefix = compact;
        if (compact.Length == 0)
        {
            error = null;
            return true;
        }
        error = !compact.StartsWith('+') || compact.Length < 2 || compact.Length > 16 || !compact[1..].All(char.IsAsciiDigit)
            ? $"\"{text}\" is not a series; write the start of the numbers with their country code, such as +1415."
            : null;
        return error is null;
    }

    /// <summary>"starting +1415", or nothing for every number.</summary>
    public static string Starting(string prefix) => prefix.Length == 0 ? "" : $" starting {prefix}";

    /// <summary>"50 numbers starting +1415".</summary>
    public static string Count(int count, string prefix) => Words.Count(count, "number") + Starting(prefix);
}
