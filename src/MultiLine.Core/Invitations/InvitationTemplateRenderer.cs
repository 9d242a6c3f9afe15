using System.Net;
using System.Text.RegularExpressions;
using MultiLine.Core.Accounts;

namespace MultiLine.Core.Invitations;

/// <summary>The values an invitation's placeholders stand for.</summary>
public sealed record InvitationValues(string FirstName, string LastName, string Username, string MultilineNumber, string ActivationLink);

/// <summary>An email ready for the outbox: placeholders replaced, values HTML-encoded in the HTML part.</summary>
public sealed record RenderedEmail(string Subject, string HtmlBody, string TextBody);

/// <summary>Checks and fills invitation templates. Placeholders: {f_name} {l_name} {u_name} {multiline_number} {activation_link}.</summary>
public static partial class InvitationTemplateRenderer
{
    public const string ActivationLink = "{activation_link}";
    public static readonly IReadOnlyList<string> Placeholders = ["{f_name}", "{l_name}", "{u_name}", "{multiline_number}", ActivationLink];

    /// <summary>What the editor shows before a preview: sample data in the template's language.</summary>
    public static InvitationValues SampleValues(Language language) => new(
        "Ava", "Rossi", "ava.rossi@acme.example", "+1 212 555 0123", "https://portal.example/activate/sample-token");

    /// <summary>Problems that stop a template from being saved, in the admin's words. Empty when it is fine.</summary>
    public static IReadOnlyList<string> Validate(TemplateContent template)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(template.Subject))
            problems.Add("The subject is empty.");
        if (string.IsNullOrWhiteSpace(template.HtmlBody))
            problems.Add("The HTML part is empty.");
        else if (!template.HtmlBody.Contains(ActivationLink, StringComparison.Ordinal))
            problems.Add("The HTML part must contain {activation_link}: without it the user cannot activate.");
        if (string.IsNullOrWhiteSpace(template.TextBody))
            problems.Add("The plain-text part is empty.");
        else if (!template.TextBody.Contains(ActivationLink, StringComparison.Ordinal))
            problems.Add("The plain-text part must contain {activation_link}: without it the user cannot activate.");
        var unknown = new[] { template.Subject, template.HtmlBody, template.TextBody }
            .SelectMany(part => PlaceholderPattern().Matches(part ?? "").Select(m => m.Value))
            .Where(p => !Placeholders.Contains(p))
            .Distinct()
            .ToList();
        if (unknown.Count > 0)
            problems.Add($"Unknown placeholder{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown)}. Use {string.Join(", ", Placeholders)}.");
        return problems;
    }

    public static RenderedEmail Render(TemplateContent template, InvitationValues values) => new(
        Fill(template.Subject, values, encode: false).ReplaceLineEndings(" "),
        Fill(template.HtmlBody, values, encode: true),
        Fill(template.TextBody, values, encode: false));

    private static string Fill(string text, InvitationValues values, bool encode)
    {
        string Value(string raw) => encode ? WebUtility.HtmlEncode(raw) : raw;
        return WithoutEmpty(WithoutEmpty(text, "{f_name}", values.FirstName), "{l_name}", values.LastName)
            .Replace("{f_name}", Value(values.FirstName), StringComparison.Ordinal)
            .Replace("{l_name}", Value(values.LastName), StringComparison.Ordinal)
            .Replace("{u_name}", Value(values.Username), StringComparison.Ordinal)
            .Replace("{multiline_number}", Value(values.MultilineNumber), StringComparison.Ordinal)
            .Replace(ActivationLink, Value(values.ActivationLink), StringComparison.Ordinal);
    }

    /// <summary>
    /// An empty name takes its separator with it, so "is ready, {f_name}" becomes "is ready" and "Hello {f_name} {l_name},"
    /// becomes "Hello {l_name}," rather than leaving a dangling comma or double space.
    /// </summary>
    private static string WithoutEmpty(string text, string placeholder, string value)
    {
        if (!string.IsNullOrWhiteSpace(value))
            return text;
        foreach (var around in new[] { $", {placeholder}", $"{placeholder}, ", $" {placeholder}", $"{placeholder} " })
            text = text.Replace(around, "", StringComparison.Ordinal);
        return text.Replace(placeholder, "", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\{[a-z_]+\}")]
    private static partial Regex PlaceholderPattern();
}
