using System.Net.Mail;
using PhoneNumbers;

namespace MultiLine.Core.Accounts;

/// <summary>
/// An account's username: an email address (compared case-insensitively) or a phone number with country code
/// (compared in E.164).
/// </summary>
public sealed record Username(string Value, string Normalized, UsernameKind Kind)
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();
    private static readonly System.Buffers.SearchValues<char> WhiteSpace =
        System.Buffers.SearchValues.Create(Enumerable.Range(0, char.MaxValue + 1).Select(i => (char)i).Where(char.IsWhiteSpace).ToArray());

    /// <summary>
    /// The one wording of "username already in use". <paramref name="holderOrganization"/> is named only when the admin
    /// may see it (the holder is inside their scope); otherwise the organization stays unnamed.
    /// </summary>
    public static string InUse(string value, string? holderOrganization) => holderOrganization is null
        ? $"{Imports.ImportProblem.Quote(value)} is already in use by another account."
        : $"{Imports.ImportProblem.Quote(value)} already exists in organization {holderOrganization}.";

    /// <summary>Reads what an admin typed. On failure <paramref name="error"/> says why, in the admin's words.</summary>
    public static bool TryParse(string? input, out Username? username, out string? error)
    {
        username = null;
        var text = input?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "Missing. Enter an email address or a phone number with country code.";
            return false;
        }

        if (text.Contains('@'))
        {
            if (!IsEmail(text))
            {
                error = $"\"{text}\" is not a valid email address.";
                return false;
            }
            username = new Username(text, text.ToLowerInvariant(), UsernameKind.Email);
            error = null;
            return true;
        }

        if (!LooksLikePhone(text))
        {
            error = $"\"{text}\" is neither an email address nor a phone number.";
            return false;
        }

        if (!TryNormalizePhone(text, out var e164, out error))
            return false;
        username = new Username(e164!, e164!, UsernameKind.Phone);
        return true;
    }

    /// <summary>The key used for uniqueness: lower-case email, or E.164 phone. Null when the input is not a username.</summary>
    public static string? NormalizeOrNull(string? input) => TryParse(input, out var u, out _) ? u!.Normalized : null;

    public static bool IsEmail(string text)
    {
        var at = text.IndexOf('@');
        if (text.Length > 254 || at < 0 || text.IndexOf('@', at + 1) >= 0 || text.AsSpan().ContainsAny(WhiteSpace))
            return false;
        if (IsPlainEmail(text, at))
            return true;
        if (!MailAddress.TryCreate(text, out var address) || address.Address != text)
            return false;
        var domain = address.Host;
        return domain.Contains('.') && !domain.StartsWith('.') && !domain.EndsWith('.') && !domain.Contains("..");
    }

    private static readonly System.Buffers.SearchValues<char> PlainLocal =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.");
    private static readonly System.Buffers.SearchValues<char> PlainDomain =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");

    /// <summary>
    /// The shape nearly every address has, checked without <see cref="MailAddress"/> (which costs microseconds a call, and
    /// an upload checks every row): ASCII letters, digits, <c>_ + - .</c> before the @, letters, digits, <c>-</c> and dots
    /// after it, no dot at either end of either part or twice in a row, at least one dot in the domain. Everything this
    /// accepts <see cref="MailAddress"/> accepts unchanged; anything else takes the full check.
    /// </summary>
    internal static bool IsPlainEmail(string text, int at)
    {
        var local = text.AsSpan(0, at);
        var domain = text.AsSpan(at + 1);
        return IsDotted(local, PlainLocal) && IsDotted(domain, PlainDomain) && domain.Contains('.');
    }

    private static bool IsDotted(ReadOnlySpan<char> part, System.Buffers.SearchValues<char> allowed) =>
        part.Length > 0 && !part.ContainsAnyExcept(allowed) && part[0] != '.' && part[^1] != '.' && !part.Contains("..", StringComparison.Ordinal);

    private static readonly System.Buffers.SearchValues<char> Letters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>A phone number written with its country code (+ or 00), in E.164.</summary>
    public static bool TryNormalizePhone(string text, out string? e164, out string? error)
    {
        e164 = null;
        var compact = text.Trim();
        if (compact.StartsWith("00", StringComparison.Ordinal))
            compact = "+" + compact[2..];
        if (!compact.StartsWith('+'))
        {
            error = $"\"{text}\" has no country code; write it as +<country code><number>, e.g. +14155550123.";
            return false;
        }
        // libphonenumber reads letters as keypad digits (1-800-FLOWERS) and "ext." or "x" as an extension, so
        // "+1.41555e10", a spreadsheet's scientific notation, would pass as some other number: a phone value is digits.
        if (compact.AsSpan().IndexOfAny(Letters) >= 0)
        {
            error = $"\"{text}\" is not a valid phone number: use digits only, with + and the country code, e.g. +14155550123.";
            return false;
        }
        try
        {
            var parsed = Phones.Parse(compact, null);
            if (!Phones.IsPossibleNumber(parsed))
            {
                error = $"\"{text}\" is not a valid phone number.";
                return false;
            }
            e164 = Phones.Format(parsed, PhoneNumberFormat.E164);
            error = null;
            return true;
        }
        catch (NumberParseException)
        {
            error = $"\"{text}\" is not a valid phone number.";
            return false;
        }
    }

    /// <summary>
    /// True when <paramref name="e164"/> is a number in service in its country's numbering plan, not merely of a possible
    /// length. The rules accept any possible number; a proposed repair (<see cref="Imports.SpreadsheetDamage"/>) asks for
    /// this stricter check, so that adding a lost <c>+</c> never turns a national number into some other country's.
    /// </summary>
    public static bool IsValidPhone(string e164)
    {
        try
        {
            return Phones.IsValidNumber(Phones.Parse(e164, null));
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>The country calling code of an E.164 number (<c>44</c> for <c>+442079460958</c>), or null when it is not one.</summary>
    public static int? CallingCode(string e164)
    {
        try
        {
            return Phones.Parse(e164, null).CountryCode;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>
    /// <paramref name="digits"/> read as a national number of the country with <paramref name="callingCode"/>, with or
    /// without its trunk prefix (<c>02079460958</c> or <c>2079460958</c> as +44): its E.164 form when it is a valid number
    /// there. <paramref name="trunkPrefixAdded"/> says whether the country writes a trunk prefix (a leading 0) that the
    /// digits lack.
    /// </summary>
    public static bool TryReadNational(string digits, int callingCode, out string e164, out bool trunkPrefixAdded)
    {
        (e164, trunkPrefixAdded) = ("", false);
        var region = Phones.GetRegionCodeForCountryCode(callingCode);
        if (region == "ZZ" || digits.Length == 0 || !digits.All(char.IsAsciiDigit))
            return false;
        try
        {
            var parsed = Phones.Parse(digits, region);
            if (parsed.CountryCode != callingCode || !Phones.IsValidNumber(parsed))
                return false;
            e164 = Phones.Format(parsed, PhoneNumberFormat.E164);
            var national = new string(Phones.Format(parsed, PhoneNumberFormat.NATIONAL).Where(char.IsAsciiDigit).ToArray());
            trunkPrefixAdded = national.Length > digits.Length && national.EndsWith(digits, StringComparison.Ordinal);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    private static bool LooksLikePhone(string text) =>
        text.Any(char.IsDigit) && text.All(c => char.IsDigit(c) || c is '+' or ' ' or '-' or '.' or '(' or ')');
}

public enum UsernameKind { Email, Phone }
