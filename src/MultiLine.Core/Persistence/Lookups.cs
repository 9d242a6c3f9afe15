namespace MultiLine.Core.Persistence;

/// <summary>Values looked up in the database a bounded number to a query.</summary>
public static class Lookups
{
    /// <summary>
    /// <paramref name="values"/> in pieces of at most <paramref name="size"/>; the array itself when it fits in one, which is
    /// the usual case (<see cref="Enumerable.Chunk{TSource}(IEnumerable{TSource}, int)"/> copies every piece, growing it as it goes).
    /// </summary>
    public static IEnumerable<T[]> Chunks<T>(T[] values, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        if (values.Length <= size)
        {
            if (values.Length > 0)
                yield return values;
            yield break;
        }
        for (var start = 0; start < values.Length; start += size)
            yield return values[start..Math.Min(start + size, values.Length)];
    }
}
