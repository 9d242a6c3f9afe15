using System.Globalization;

namespace MultiLine.Core.Imports;

/// <summary>
/// One thing wrong (or worth a look) in an uploaded file. <see cref="Message"/> is the bare sentence
/// (<c>"yes" is not one of on, off.</c>); <see cref="Text"/> adds where it is
/// (<c>Row 14, monitor_sms: "yes" is not one of on, off.</c>).
/// </summary>
/// <remarks>
/// A cell can hold thousands of characters, and a problem is shown, sent by the API and written to the report several
/// times over; so a long value is never repeated whole. Messages quote values with <see cref="Quote"/>, and
/// <see cref="Value"/> is cut the same way.
/// </remarks>
public sealed record ImportProblem(int? Row, string? Column, string? Value, string Message, ProblemSeverity Severity)
{
    /// <summary>How many characters of a value a problem shows; a longer value is cut there, with "…".</summary>
    public const int MaxValueLength = 60;

    /// <summary>The value the problem is about, as read; cut after <see cref="MaxValueLength"/> characters.</summary>
    public string? Value { get; init; } = Value is null ? null : Shorten(Value);

    /// <summary>
    /// The bare sentence. A rule made outside the import (username parsing, the checks across rows) quotes its value
    /// whole; when that value is long, it is cut here as <see cref="Quote"/> would have written it.
    /// </summary>
    public string Message { get; init; } = Value is { Length: > MaxValueLength }
        ? Message.Replace($"\"{Value}\"", Quote(Value), StringComparison.Ordinal)
        : Message;

    public bool IsError => Severity == ProblemSeverity.Error;

    /// <summary>The full sentence an admin reads: row and column first, when known.</summary>
    public string Text => (Row, Column) switch
    {
        (int row, string column) => $"Row {row}, {column}: {Message}",
        (int row, null) => $"Row {row}: {Message}",
        (null, string column) => $"{column}: {Message}",
        _ => Message,
    };

    public override string ToString() => Text;

    public static ImportProblem FileError(string message) => new(null, null, null, message, ProblemSeverity.Error);

    public static ImportProblem FileWarning(string message) => new(null, null, null, message, ProblemSeverity.Warning);

    /// <summary>A value as a message quotes it: <c>"yes"</c>, or when long <c>"aaaa…" (10,000 characters)</c>.</summary>
    public static string Quote(string value) => value.Length <= MaxValueLength
        ? $"\"{value}\""
        : string.Create(CultureInfo.InvariantCulture, $"\"{Shorten(value)}\" ({value.Length:N0} characters)");

    private static string Shorten(string value)
    {
        if (value.Length <= MaxValueLength)
            return value;
        var cut = char.IsHighSurrogate(value[MaxValueLength - 1]) ? MaxValueLength - 1 : MaxValueLength;
        return string.Concat(value.AsSpan(0, cut), "…");
    }
}

public enum ProblemSeverity { Error, Warning }
