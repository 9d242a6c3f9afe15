using System.Text.Json;

namespace MultiLine.Core.Persistence;

/// <summary>
/// How an engine that runs statements one at a time in process (SQLite) takes a whole group of rows in one statement:
/// the rows go as one parameter holding a JSON array of rows, each an array of the columns' stored values, and the
/// statement reads them back as a row source. One bound value and one statement for a group instead of a statement and a
/// bound value per cell. Used for updates of a few columns; a wide row is parsed once per column read from it, which
/// costs more than binding (docs/performance.md).
/// </summary>
public abstract class JsonRowSource
{
    /// <summary>A query yielding the columns <c>c0</c>… <c>c{columns-1}</c> of every row in the parameter.</summary>
    public abstract string Select(string parameterPlaceholder, int columns);

    /// <summary>
    /// Writes a column's stored value (after its value converter) so that the row source reads back exactly what binding
    /// it as a parameter would store. False for a type the engine cannot take this way; the caller then binds per row.
    /// </summary>
    public abstract bool TryWrite(Utf8JsonWriter writer, object? value);
}
