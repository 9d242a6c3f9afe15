using System.Data.Common;

namespace MultiLine.Core.Persistence;

/// <summary>
/// A single-row statement prepared once and run once per row, its values bound by position. ADO.NET providers bind each
/// parameter by name on every execution; SQLite finds a name by a linear search of the statement's parameters, so a
/// 20-column insert paid for 20 searches (and 20 name conversions) a row (docs/performance.md, round 6).
/// </summary>
public interface IPositionalStatement : IDisposable
{
    /// <summary>Runs the statement with <paramref name="values"/>, one per parameter in the order given when it was prepared.</summary>
    void Execute(ReadOnlySpan<object?> values);
}

/// <summary>One parameter of a <see cref="IPositionalStatement"/>: its name in the text, and how its values are stored.</summary>
/// <param name="Template">A parameter made by the column's type mapping: the engine reads its type settings, never its value.</param>
/// <param name="ProviderType">The CLR type of the values bound (after any value converter).</param>
public sealed record PositionalParameter(string Name, DbParameter Template, Type ProviderType);
