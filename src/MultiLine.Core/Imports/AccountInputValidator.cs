using MultiLine.Core.Numbers;
using System.Globalization;
using System.Linq.Expressions;
using FluentValidation;
using FluentValidation.Results;
using MultiLine.Core.Accounts;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Imports;

/// <summary>What the per-cell rules depend on: the organization the accounts go to and their permission group.</summary>
public sealed record AccountRulesContext(Organization Organization, PermissionGroup PermissionGroup);

/// <summary>The outcome of checking one input: the normalized draft when it has no error, and every problem found.</summary>
public sealed record AccountCheck(AccountDraft? Draft, IReadOnlyList<ImportProblem> Problems)
{
    /// <summary>The username's uniqueness key when it could be read, even if other cells are wrong.</summary>
    public string? NormalizedUsername { get; init; }

    /// <summary>The MultiLine number in E.164 when it could be read, even if other cells are wrong.</summary>
    public string? MultiLineNumberE164 { get; init; }
}

/// <summary>
/// The per-cell rules of an account (the help article's "Table of CSV values"), shared by the CSV import and the
/// single-account form. Rules that need the organization read it from the validation context, see
/// <see cref="CreateContext"/>; <see cref="Check"/> does both and also returns the normalized draft.
/// </summary>
public sealed class AccountInputValidator : AbstractValidator<AccountInput>
{
    public const int MaxNameLength = 64;
    private const string StateKey = "MultiLine.Imports.AccountState";

    /// <summary>The columns' rules, in the order their problems are listed.</summary>
    private static readonly CellRule[] Cells =
    [
        new(x => x.FirstName, nameof(AccountInput.FirstName), (value, s) => s.FirstName = Name(value, nameof(AccountInput.FirstName), s)),
        new(x => x.LastName, nameof(AccountInput.LastName), (value, s) => s.LastName = Name(value, nameof(AccountInput.LastName), s)),
        new(x => x.Username, nameof(AccountInput.Username), CheckUsername),
        new(x => x.SocialMessaging, nameof(AccountInput.SocialMessaging), CheckSocialMessaging),
        new(x => x.MultiLineNumber, nameof(AccountInput.MultiLineNumber), CheckMultiLineNumber),
        new(x => x.MonitorCalls, nameof(AccountInput.MonitorCalls), (value, s) =>
            s.MonitorCalls = Choice(value, nameof(AccountInput.MonitorCalls), s, ("auto", MonitorCalls.Auto), ("off", MonitorCalls.Off))),
        new(x => x.MonitorSms, nameof(AccountInput.MonitorSms), (value, s) =>
            s.MonitorSms = Choice(value, nameof(AccountInput.MonitorSms), s, ("on", MonitorSms.On), ("off", MonitorSms.Off))),
        new(x => x.ForwardingNumber, nameof(AccountInput.ForwardingNumber), CheckForwardingNumber),
        new(x => x.RestrictIncomingSocialMessaging, nameof(AccountInput.RestrictIncomingSocialMessaging), CheckRestrict),
        new(x => x.Language, nameof(AccountInput.Language), CheckLanguage),
    ];

    /// <summary>One column's rule: the cell it reads, the property its problems name, and the rule.</summary>
    private sealed record CellRule(Expression<Func<AccountInput, string?>> Cell, string Property, Action<string?, ParsedAccount> Rule)
    {
        public Func<AccountInput, string?> Read { get; } = Cell.Compile();
    }

    /// <summary>The same rules as a FluentValidation validator, for callers that run a validator (e.g. a form).</summary>
    public AccountInputValidator()
    {
        foreach (var cell in Cells)
            RuleFor(cell.Cell).Custom((value, context) => RunCell(value, context.PropertyPath, cell.Rule, State(context)));
    }

    /// <summary>
    /// A column's rule, run only on a value made of text: a control character, or bytes the file's encoding could not read
    /// (U+FFFD), is the cell's one error (a second message about the same value would only repeat it). Nothing is
    /// stripped: the admin must see what the value is.
    /// </summary>
    private static void RunCell(string? value, string property, Action<string?, ParsedAccount> rule, ParsedAccount state)
    {
        var text = CellText.Trim(value);
        if (text is not null && CellText.IndexOfControl(text) is var control and >= 0)
            Fail(state, property, text, string.Create(CultureInfo.InvariantCulture,
                $"contains an invisible control character (U+{(int)text[control]:X4}) at position {control + 1}; retype the value."));
        else if (text is not null && text.Contains(CellText.Unreadable))
            Fail(state, property, text,
                $"{ImportProblem.Quote(text)} holds bytes that are not valid UTF-8 (shown as {CellText.Unreadable}); save the file as CSV UTF-8 and upload it again.");
        else
            rule(value, state);
    }

    /// <summary>A validation context carrying <paramref name="rules"/>, for callers that run the validator themselves (e.g. a form).</summary>
    public static ValidationContext<AccountInput> CreateContext(AccountInput input, AccountRulesContext rules)
    {
        var context = new ValidationContext<AccountInput>(input);
        context.RootContextData[StateKey] = new ParsedAccount(rules, input, context);
        return context;
    }

    /// <summary>
    /// Checks one input against the rules of <paramref name="rules"/>; problems carry <paramref name="row"/>. Runs the rules
    /// directly rather than through FluentValidation's pipeline: an upload checks up to thousands of rows, and the pipeline
    /// costs more than the rules themselves. Same rules, same order, same messages.
    /// </summary>
    public AccountCheck Check(AccountInput input, AccountRulesContext rules, int? row = null)
    {
        var state = new ParsedAccount(rules, input, null) { Row = row };
        foreach (var cell in Cells)
            RunCell(cell.Read(input), cell.Property, cell.Rule, state);
        var problems = state.Problems is { } found ? found.ToArray() : [];
        var draft = problems.Any(p => p.IsError) ? null : state.ToDraft();
        return new AccountCheck(draft, problems)
        {
            NormalizedUsername = state.Username?.Normalized,
            MultiLineNumberE164 = ReservedTagNumbers.IsTag(state.MultiLineNumber) ? null : state.MultiLineNumber,
        };
    }

    private static string ColumnName(string property) =>
        CsvColumns.TryFromProperty(property, out var c) ? c.Name() : property;

    private static ParsedAccount State(ValidationContext<AccountInput> context) =>
        context.RootContextData.TryGetValue(StateKey, out var state)
            ? (ParsedAccount)state
            : throw new InvalidOperationException($"Validate accounts with {nameof(AccountInputValidator)}.{nameof(CreateContext)} or {nameof(Check)}: the rules need the organization.");

    /// <summary>A problem with a cell: into the FluentValidation context when run through it, else into the row's own list.</summary>
    private static void Fail(ParsedAccount state, string property, string? value, string message, Severity severity = Severity.Error)
    {
        if (state.Context is { } context)
            context.AddFailure(new ValidationFailure(property, message, value) { Severity = severity });
        else
            (state.Problems ??= []).Add(new ImportProblem(state.Row, ColumnName(property), value, message,
                severity == Severity.Error ? ProblemSeverity.Error : ProblemSeverity.Warning));
    }

    /// <summary>A cell that may hold a phone number: trimmed, and invisible characters inside it read as spaces (formatting).</summary>
    private static string? PhoneText(string? value) => value is null ? null : CellText.InvisibleAsSpaces(CellText.Trim(value));

    private static string? Name(string? value, string property, ParsedAccount context)
    {
        var text = CellText.Trim(value);
        if (string.IsNullOrEmpty(text))
            return null;
        if (text.Length > MaxNameLength)
        {
            Fail(context, property, text, $"{ImportProblem.Quote(text)} is too long; at most {MaxNameLength} characters are allowed.");
            return null;
        }
        return text;
    }

    private static T? Choice<T>(string? value, string property, ParsedAccount context, (string Text, T Value) first, (string Text, T Value) second)
        where T : struct
    {
        var text = CellText.Trim(value);
        if (string.IsNullOrEmpty(text))
        {
            Fail(context, property, text, $"Missing. Enter {first.Text} or {second.Text}.");
            return null;
        }
        if (text.Equals(first.Text, StringComparison.OrdinalIgnoreCase))
            return first.Value;
        if (text.Equals(second.Text, StringComparison.OrdinalIgnoreCase))
            return second.Value;
        Fail(context, property, text, $"{ImportProblem.Quote(text)} is not one of {first.Text}, {second.Text}.");
        return null;
    }

    private static void CheckUsername(string? value, ParsedAccount context)
    {
        var state = context;
        var text = PhoneText(value);
        if (!Username.TryParse(text, out var username, out var error))
        {
            Fail(context, nameof(AccountInput.Username), text, error!);
            return;
        }
        state.Username = username;
        var organization = state.Rules.Organization;
        if (OrganizationRules.UsernameRefusal(text!, organization) is { } refusal)
            Fail(context, nameof(AccountInput.Username), text, refusal);
    }

    private static void CheckSocialMessaging(string? value, ParsedAccount context)
    {
        var state = context;
        var social = Choice(value, nameof(AccountInput.SocialMessaging), context, ("Yes", true), ("No", false));
        var text = CellText.Trim(value);
        if (social is { } on && OrganizationRules.SocialMessagingRefusal(text!, on, state.Rules.Organization) is { } refusal)
        {
            Fail(context, nameof(AccountInput.SocialMessaging), text, refusal);
            return;
        }
        state.SocialMessaging = social;
    }

    private static void CheckMultiLineNumber(string? value, ParsedAccount context)
    {
        var text = PhoneText(value);
        if (string.IsNullOrEmpty(text))
            return;
        // "tag:PORTED": any Reserved number with that tag; the check across rows counts them (ReservedTagNumbers).
        if (ReservedTagNumbers.TryRead(text, out var tag, out var tagError))
        {
            if (tagError is null)
                context.MultiLineNumber = ReservedTagNumbers.Write(tag!);
            else
                Fail(context, nameof(AccountInput.MultiLineNumber), text, tagError);
        }
        else if (Username.TryNormalizePhone(text, out var e164, out var error))
            context.MultiLineNumber = e164;
        else
            Fail(context, nameof(AccountInput.MultiLineNumber), text, error!);
    }

    private static void CheckForwardingNumber(string? value, ParsedAccount context)
    {
        var text = PhoneText(value);
        if (string.IsNullOrEmpty(text))
            return;
        const string property = nameof(AccountInput.ForwardingNumber);
        if (!TryNormalizeForwarding(text, out var normalized, out var error))
        {
            Fail(context, property, text, error);
            return;
        }
        var state = context;
        state.ForwardingNumber = normalized;
        var group = state.Rules.PermissionGroup;
        if (group.Features.HasFlag(Features.VoiceCalling))
            Fail(context, property, text,
                $"{ImportProblem.Quote(text)} will not be used: permission group {group.Name} has voice calling, and forwarding applies only to accounts without it.",
                Severity.Warning);
    }

    /// <summary>4 to 18 digits with country code; <c>+</c>, spaces, dashes, dots and parentheses are formatting.</summary>
    public static bool TryNormalizeForwarding(string text, out string normalized, out string error)
    {
        normalized = "";
        Span<char> digits = stackalloc char[Math.Min(text.Length, 64)];
        var count = 0;
        var plus = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c))
            {
                if (count < digits.Length)
                    digits[count] = c;
                count++;
            }
            else if (c == '+' && count == 0)
                plus++;
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
            {
                error = $"{ImportProblem.Quote(text)} is not a phone number: use 4 to 18 digits with country code, e.g. +14155550123.";
                return false;
            }
        }
        var start = 0;
        if (plus == 0 && count > 2 && digits[0] == '0' && digits[1] == '0')
            start = 2;
        else if (plus != 1)
        {
            error = $"{ImportProblem.Quote(text)} has no country code; write it as +<country code><number>, e.g. +14155550123.";
            return false;
        }
        var length = count - start;
        if (length is < 4 or > 18)
        {
            error = $"{ImportProblem.Quote(text)} has {length} digits; a forwarding number has 4 to 18 digits with country code.";
            return false;
        }
        normalized = string.Concat("+", digits[start..count]);
        error = "";
        return true;
    }

    private static void CheckRestrict(string? value, ParsedAccount context)
    {
        var text = CellText.Trim(value);
        if (string.IsNullOrEmpty(text))
            return;
        const string property = nameof(AccountInput.RestrictIncomingSocialMessaging);
        bool restrict;
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
            restrict = true;
        else if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
            restrict = false;
        else
        {
            Fail(context, property, text, $"{ImportProblem.Quote(text)} is not one of true, false.");
            return;
        }
        var state = context;
        state.Restrict = restrict;
        var social = CellText.Trim(context.Input.SocialMessaging);
        if (social is not null && social.Equals("No", StringComparison.OrdinalIgnoreCase))
            Fail(context, property, text, $"{ImportProblem.Quote(text)} is ignored because social_messaging is No.", Severity.Warning);
    }

    private static readonly Dictionary<string, Language> Languages = new(StringComparer.OrdinalIgnoreCase)
    {
        ["English"] = Language.English, ["en"] = Language.English,
        ["Italian"] = Language.Italian, ["it"] = Language.Italian, ["Italiano"] = Language.Italian,
        ["German"] = Language.German, ["de"] = Language.German, ["Deutsch"] = Language.German,
        ["French"] = Language.French, ["fr"] = Language.French, ["Français"] = Language.French, ["Francais"] = Language.French,
        ["Spanish"] = Language.Spanish, ["es"] = Language.Spanish, ["Español"] = Language.Spanish, ["Espanol"] = Language.Spanish,
    };

    private static void CheckLanguage(string? value, ParsedAccount context)
    {
        var text = CellText.Trim(value);
        if (string.IsNullOrEmpty(text))
            return;
        if (Languages.TryGetValue(text, out var language))
            context.Language = language;
        else
            Fail(context, nameof(AccountInput.Language), text, $"{ImportProblem.Quote(text)} is not one of English, Italian, German, French, Spanish.");
    }

    /// <summary>What the rules read successfully, so the draft needs no second parse.</summary>
    private sealed class ParsedAccount(AccountRulesContext rules, AccountInput input, ValidationContext<AccountInput>? context)
    {
        public AccountRulesContext Rules { get; } = rules;
        public AccountInput Input { get; } = input;

        /// <summary>Set when FluentValidation runs the rules: problems go to it.</summary>
        public ValidationContext<AccountInput>? Context { get; } = context;

        /// <summary>The spreadsheet row the problems are on, when the rules run directly on a file's row.</summary>
        public int? Row { get; init; }

        /// <summary>The problems found when the rules run directly (<see cref="Check"/>).</summary>
        public List<ImportProblem>? Problems { get; set; }
        public string? FirstName { get; set; }
        public string? LastName { get; set; }
        public Username? Username { get; set; }
        public bool? SocialMessaging { get; set; }
        public string? MultiLineNumber { get; set; }
        public MonitorCalls? MonitorCalls { get; set; }
        public MonitorSms? MonitorSms { get; set; }
        public string? ForwardingNumber { get; set; }
        public bool Restrict { get; set; }
        public Language Language { get; set; } = Language.English;

        public AccountDraft? ToDraft() =>
            Username is null || SocialMessaging is null || MonitorCalls is null || MonitorSms is null
                ? null
                : new AccountDraft(FirstName, LastName, Username, SocialMessaging.Value, MultiLineNumber, MonitorCalls.Value,
                    MonitorSms.Value, ForwardingNumber, SocialMessaging.Value && Restrict, Language);
    }
}
