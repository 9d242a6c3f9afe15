namespace MultiLine.Core.Common;

/// <summary>One page of a server-side paged list.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int TotalCount);

/// <summary>Which page to read, and in what order.</summary>
public sealed record PageRequest(int PageIndex = 0, int PageSize = 25, string? SortBy = null, bool Descending = false)
{
    public const int MaxPageSize = 500;
    /// <summary>Rows before the page; a page far past the end reads nothing rather than overflowing.</summary>
    public int Skip => (int)Math.Min((long)Math.Max(PageIndex, 0) * Take, int.MaxValue);
    public int Take => Math.Clamp(PageSize, 1, MaxPageSize);
}
