using System.Text;
using System.Text.RegularExpressions;
using MultiLine.Core.Accounts;
using MultiLine.Core.Numbers;

namespace MultiLine.Core.Imports;

/// <summary>
/// A phone value a spreadsheet damaged, and what it most likely was: <see cref="Proposed"/> is the repaired value, or null
/// when the damage cannot be undone (scientific notation that dropped digits). Nothing applies it: the admin accepts it,
/// which edits the cell (<see cref="ImportEdits"/>), and the file is checked again.
/// </summary>
public sealed record SpreadsheetRepair(int Row, CsvColumn Column, string Original, string? Proposed, string Reason)
{
    public bool CanRepair => Proposed is not null;

    /// <summary>"+14155550100", or what the admin must do when nothing can be proposed.</summary>
    public string Text => Proposed is { } proposed
        ? $"Row {Row}, {Column.Name()}: {ImportProblem.Quote(Original)} → \"{proposed}\". {Reason}"
        : $"Row {Row}, {Column.Name()}: {ImportProblem.Quote(Original)} cannot be repaired. {Reason}";
}

/// <summary>
/// Recognises phone values that a spreadsheet damaged, in the columns that hold phone numbers (the username when it is
/// a phone number, multiline_number, forwarding_number), and proposes the value the admin most likely typed.
/// </summary>
/// <remarks>
/// Only a value the column's own rule refuses is looked at, and a proposal is made only when the repaired value passes
/// that same rule (<see cref="Username.TryParse"/>, <see cref="Username.TryNormalizePhone"/>,
/// <see cref="AccountInputValidator.TryNormalizeForwarding"/>): there is one phone parser, and a valid value is never
/// "repaired". What is recognised:
/// <list type="bullet">
/// <item>Scientific notation (<c>1.41555E+10</c>): when the mantissa holds fewer digits than the number, the rest were
/// lost and nothing is proposed; when it holds them all (<c>1.4155550100E+10</c>) the number is written out.</item>
/// <item>A lost <c>+</c> or international <c>00</c> (a spreadsheet drops leading zeros and the plus of a number it stores
/// as a number): <c>14155550100</c> → <c>+14155550100</c>, only when the result is a valid number of its country, not
/// merely one of a possible length.</item>
/// <item>A float's tail (<c>14155550100.0</c>), Excel's text markers (a leading apostrophe, <c>="+1415…"</c>), digits
/// grouped in thousands as a spreadsheet shows a number (<c>14,155,550,100</c>), and separators the rules do not read as
/// formatting (slashes, underscores, backslashes).</item>
/// <item>A lost leading <c>0</c> of a national number (<c>020 7946 0958</c> stored as <c>2079460958</c>), or a national
/// number typed without its country code: proposed only when the organization's country is known (the calling code of
/// most of the numbers it may hand out, <see cref="HomeCountry"/>) and the number is valid there, and the reason names
/// that country code so the admin can see the guess.</item>
/// </list>
/// Spaces, dashes, dots and parentheses anywhere in a number are formatting by the rules (DOMAIN: "+, spaces, dashes, dots
/// and parentheses are formatting"): a value they accept is not damaged, and is stored in E.164 as any other.
/// </remarks>
public static partial class SpreadsheetDamage
{
    /// <summary>The columns that may hold a phone number.</summary>
    public static readonly IReadOnlyList<CsvColumn> PhoneColumns = [CsvColumn.Username, CsvColumn.MultiLineNumber, CsvColumn.ForwardingNumber];

    public const string DigitsLost =
        "A spreadsheet wrote this number in scientific notation and its last digits were lost; they cannot be recovered. " +
        "Type the number again with its country code, e.g. +14155550123 (format the column as Text so it stays so).";

    private const string ScientificExact = "A spreadsheet wrote this number in scientific notation; all its digits are still there.";
    private const string PlusLost = "The leading + (or 00) is missing, as when a spreadsheet stores a phone number as a number.";
    private const string FloatTail = "A spreadsheet added a decimal \".0\" to the number.";
    private const string TextMarker = "Excel's text marker (' or =\"…\") was left around the number.";
    private const string Separators = "Characters that are not phone formatting were removed.";
    private const string Grouped = "A spreadsheet grouped the digits in thousands, as it shows a number.";

    /// <summary>
    /// The country an organization's phone numbers are in: the calling code most of its inventory's numbers have (or
    /// null when it has none). A national number in the file is read in this country, as a proposal.
    /// </summary>
    public static int? HomeCountry(IEnumerable<string> inventoryE164s) =>
        inventoryE164s.Select(Username.CallingCode).OfType<int>()
            .GroupBy(code => code).OrderByDescending(g => g.Count()).ThenBy(g => g.Key)
            .Select(g => (int?)g.Key).FirstOrDefault();

    /// <summary>True when <paramref name="value"/> could be a national number (digits without + or 00), the one case <see cref="HomeCountry"/> is needed for.</summary>
    public static bool MayBeNational(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return false;
        var text = CellText.Trim(value).TrimStart('\'', '=', '"');
        return text.Length > 0 && char.IsAsciiDigit(text[0]) && !text.StartsWith("00", StringComparison.Ordinal) && !text.Contains('@');
    }

    /// <summary>
    /// The repair of <paramref name="value"/> in <paramref name="column"/> of row <paramref name="row"/>, or null when there
    /// is nothing to repair. A national number is read in <paramref name="homeCountry"/> (a calling code), when known.
    /// </summary>
    public static SpreadsheetRepair? Inspect(int row, CsvColumn column, string? value, int? homeCountry = null)
    {
        if (!PhoneColumns.Contains(column) || string.IsNullOrWhiteSpace(value))
            return null;
        var original = CellText.InvisibleAsSpaces(CellText.Trim(value));
        if (Accepts(column, original, out _) || !MayBePhone(column, original))
            return null;

        var reasons = new List<string>();
        var text = original;
        if (TextMarkerPattern().Match(text) is { Success: true } marked)
        {
            text = marked.Groups["inner"].Value.Trim();
            reasons.Add(TextMarker);
        }

        if (ScientificPattern().Match(text.Replace(" ", "")) is { Success: true } scientific)
        {
            var whole = scientific.Groups["whole"].Value;
            var fraction = scientific.Groups["fraction"].Value;
            var exponent = int.Parse(scientific.Groups["exponent"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (fraction.Length != exponent)
                return new SpreadsheetRepair(row, column, original, null, DigitsLost);
            text = (scientific.Groups["plus"].Success ? "+" : "") + whole + fraction;
            reasons.Add(ScientificExact);
        }

        if (FloatTailPattern().Match(text) is { Success: true } floated)
        {
            text = floated.Groups["number"].Value;
            reasons.Add(FloatTail);
        }

        if (ThousandsPattern().IsMatch(text))
        {
            text = new string(text.Where(c => char.IsAsciiDigit(c) || c == '+').ToArray());
            reasons.Add(Grouped);
        }

        var compact = new StringBuilder(text.Length);
        var removed = false;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c) || (c == '+' && compact.Length == 0))
                compact.Append(c);
            else if (c is ' ' or '-' or '.' or '(' or ')')
                continue; // formatting the rules read too
            else if (c is '/' or '_' or '\\' or '\'' or '·')
                removed = true;
            else
                return null; // letters or other symbols: not a damaged number
        }
        if (removed)
            reasons.Add(Separators);
        var candidate = compact.ToString();
        if (candidate.TrimStart('+').Length == 0)
            return null;

        if (reasons.Count > 0 && Accepts(column, candidate, out var repaired))
            return new SpreadsheetRepair(row, column, original, repaired, string.Join(" ", reasons));
        if (candidate.StartsWith('+'))
            return null;
        // A lost "+" (or "00", which a spreadsheet drops with the other leading zeros): only a number valid in its country.
        string? withPlus = null;
        if (candidate[0] != '0' && Accepts(column, "+" + candidate, out var plus) && Username.IsValidPhone(plus))
            withPlus = plus;
        // A national number: its leading 0 lost, or typed without the country code. Read in the organization's country,
        // and preferred to a lost "+" only when that would make it a number of another country.
        if (homeCountry is { } home && (withPlus is null || Username.CallingCode(withPlus) != home)
            && Username.TryReadNational(candidate, home, out var national, out var zeroLost) && Accepts(column, national, out var nationalRepaired))
        {
            var why = zeroLost
                ? $"The leading 0 is missing, as when a spreadsheet stores a phone number as a number, and so is the country code: read as a number of +{home}, the country code of most of this organization's numbers."
                : $"The number has no country code: read as a number of +{home}, the country code of most of this organization's numbers.";
            return new SpreadsheetRepair(row, column, original, nationalRepaired, string.Join(" ", [.. reasons, why]));
        }
        return withPlus is null ? null : new SpreadsheetRepair(row, column, original, withPlus, string.Join(" ", [.. reasons, PlusLost]));
    }

    /// <summary>
    /// Every damaged phone value of <paramref name="values"/> (row <paramref name="row"/>), in column order, looking only at
    /// the columns whose own rule refused the value (<paramref name="refusedByRule"/>, when given): one it accepted has
    /// nothing to repair, and reading it again as a phone number is the costly part (a preview's invalid rows are mostly
    /// taken usernames, refused by the database, not the rule). National numbers are read in <paramref name="homeCountry"/>.
    /// </summary>
    public static IReadOnlyList<SpreadsheetRepair> Inspect(int row, AccountInput values, Func<CsvColumn, bool>? refusedByRule = null, int? homeCountry = null)
    {
        List<SpreadsheetRepair>? found = null;
        foreach (var column in PhoneColumns)
        {
            if (refusedByRule is not null && !refusedByRule(column))
                continue;
            if (Inspect(row, column, values[column], homeCountry) is { } repair)
                (found ??= []).Add(repair);
        }
        return found is null ? [] : found;
    }

    /// <summary>The column's own rule: the value read as a phone number, normalized.</summary>
    private static bool Accepts(CsvColumn column, string text, out string normalized)
    {
        normalized = "";
        switch (column)
        {
            case CsvColumn.Username when Username.TryParse(text, out var username, out _) && username!.Kind == UsernameKind.Phone:
                normalized = username.Value;
                return true;
            case CsvColumn.Username:
                return Username.TryParse(text, out _, out _); // a valid email address: nothing to repair
            case CsvColumn.MultiLineNumber when ReservedTagNumbers.TryRead(text, out _, out _):
                return true;
            case CsvColumn.MultiLineNumber when Username.TryNormalizePhone(text, out var e164, out _):
                normalized = e164!;
                return true;
            case CsvColumn.ForwardingNumber when AccountInputValidator.TryNormalizeForwarding(text, out var forwarding, out _):
                normalized = forwarding;
                return true;
            default:
                return false;
        }
    }

    /// <summary>A value with a letter other than a scientific "E" (an email address, a name, a tag) is not a damaged number.</summary>
    private static bool MayBePhone(CsvColumn column, string text) =>
        column != CsvColumn.Username || !text.Contains('@');

    [GeneratedRegex(@"^(?:'(?<inner>.*)|=""(?<inner>[^""]*)"")$")]
    private static partial Regex TextMarkerPattern();

    [GeneratedRegex(@"^(?<plus>\+)?(?<whole>\d+)(?:[.,](?<fraction>\d+))?[eE]\+?(?<exponent>\d{1,2})$")]
    private static partial Regex ScientificPattern();

    [GeneratedRegex(@"^(?<number>\+?[\d ]+)[.,]0+$")]
    private static partial Regex FloatTailPattern();

    /// <summary>Digits in groups of three after the first one to three, one separator throughout: 14,155,550,100 or 14.155.550.100.</summary>
    [GeneratedRegex(@"^\+?\d{1,3}(?<sep>[,.'’ \u00A0\u202F])\d{3}(?:\k<sep>\d{3})+$")]
    private static partial Regex ThousandsPattern();
}
