using System.Globalization;
using System.Text.Json;
using MultiLine.Core.Persistence;

namespace MultiLine.Persistence.Sqlite;

/// <summary>
/// Rows read with <c>json_each</c>: each row is a JSON array whose elements <c>-&gt;&gt;</c> returns as SQLite values
/// (numbers as INTEGER or REAL, strings as TEXT, null as NULL). SQLite keeps the last parsed JSON texts, so reading a
/// row's columns parses it once.
/// </summary>
internal sealed class SqliteJsonRowSource : JsonRowSource
{
    public static readonly SqliteJsonRowSource Instance = new();

    public override string Select(string parameterPlaceholder, int columns) =>
        $"SELECT {string.Join(", ", Enumerable.Range(0, columns).Select(i => $"value ->> {i} AS c{i}"))} FROM json_each({parameterPlaceholder})";

    public override bool TryWrite(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null or DBNull: writer.WriteNullValue(); return true;
            case string text: writer.WriteStringValue(text); return true;
            // Stored as INTEGER 0/1, as Microsoft.Data.Sqlite binds a bool.
            case bool flag: writer.WriteNumberValue(flag ? 1 : 0); return true;
            case int number: writer.WriteNumberValue(number); return true;
            case long number: writer.WriteNumberValue(number); return true;
            case short number: writer.WriteNumberValue(number); return true;
            case byte number: writer.WriteNumberValue(number); return true;
            // The text Microsoft.Data.Sqlite binds a DateTime as.
            case DateTime time: writer.WriteStringValue(time.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture)); return true;
            // Anything else (REAL's rounding, blobs, GUIDs, decimals as text) keeps the per-row binding.
            default: return false;
        }
    }
}
