namespace MultiLine.Core.Imports;

/// <summary>
/// One thing wrong (or worth a look) in an uploaded file. <see cref="Message"/> is the bare sentence
/// (<c>"yes" is not one of on, off.</c>); <see cref="Text"/> adds where it is
/// (<c>Row 14, monitor_sms: "yes" is not one of on, off.</c>).
/// </summary>
public sealed record ImportProblem(int? Row, string? Column, string? Value, string Message, ProblemSeverity Severity)
{
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
}

public enum ProblemSeverity { Error, Warning }
