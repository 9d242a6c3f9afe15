namespace MultiLine.Core.Common;

/// <summary>One page of a server-side paged list.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int TotalCount);

/// <summary>Which page to read, and in what order.</summary>
public sealed record PageRequest(int PageIndex = 0, int PageSize = 25, string? SortBy = null, bool Descending = false)
{
    public const int MaxPageSize = 500;
    public int Skip => Math.Max(PageIndex, 0) * Take;
    public int Take => Math.Clamp(PageSize, 1, MaxPageSize);
}
