using MultiLine.Core.Accounts;

namespace MultiLine.Web.Accounts;

/// <summary>
/// What the Accounts table shows, as it is written in the address (?q=müller&amp;status=Invited&amp;org=12&amp;sub=1&amp;sort=Name&amp;desc=1&amp;page=2),
/// so a reload or a shared link shows the same accounts. Values a hand-edited link gets wrong are ignored, never an error.
/// </summary>
public sealed record AccountsAddress(AccountSearch Search, string? SortBy = null, bool Descending = false, int PageIndex = 0)
{
    /// <summary>The columns the table sorts by, as <see cref="AccountDirectory"/> names them.</summary>
    public static readonly IReadOnlySet<string> SortColumns = AccountDirectory.SortColumns;

    public static AccountsAddress Parse(string? q, string? status, string? org, string? sub, string? sort, string? desc, string? page)
    {
        var sortBy = sort is not null && SortColumns.Contains(sort) ? sort : null;
        return new(
            new AccountSearch(
                string.IsNullOrWhiteSpace(q) ? null : q,
                Enum.TryParse<AccountStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : null,
                int.TryParse(org, out var organizationId) ? organizationId : null,
                sub == "1"),
            sortBy,
            sortBy is not null && desc == "1",
            int.TryParse(page, out var number) && number > 1 ? number - 1 : 0);
    }

    /// <summary>The query parameters for the address; those at their default are left out.</summary>
    public IReadOnlyDictionary<string, object?> ToQuery() => new Dictionary<string, object?>
    {
        ["q"] = Search.Text,
        ["status"] = Search.Status?.ToString(),
        ["org"] = Search.OrganizationId,
        ["sub"] = Search.IncludeSubOrganizations ? "1" : null,
        ["sort"] = SortBy,
        ["desc"] = SortBy is not null && Descending ? "1" : null,
        ["page"] = PageIndex > 0 ? PageIndex + 1 : null,
    };
}
