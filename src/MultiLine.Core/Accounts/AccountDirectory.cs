using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using MultiLine.Core.Common;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

/// <summary>
/// What the Accounts table asks for: search text, status and organization filters. With
/// <see cref="IncludeSubOrganizations"/> the organization filter takes the organization's whole subtree.
/// </summary>
public sealed record AccountSearch(string? Text = null, AccountStatus? Status = null, int? OrganizationId = null, bool IncludeSubOrganizations = false);

/// <summary>One line of the Accounts table.</summary>
public sealed record AccountRow(
    int Id,
    string Name,
    string Username,
    int OrganizationId,
    string Organization,
    AccountStatus Status,
    string? Number,
    string PermissionGroup,
    string? InvitationError)
{
    public string StatusLabel => AccountStatuses.Label(Status);
    public bool IsPending => AccountStatuses.IsPending(Status);
}

/// <summary>Reads accounts for the table and the API. The context's scope decides what is visible.</summary>
public static class AccountDirectory
{
    public static async Task<Page<AccountRow>> SearchAsync(MultiLineDbContext db, AccountSearch search, PageRequest page, CancellationToken cancellationToken = default)
    {
        var query = Filtered(db, search);
        var total = await query.CountAsync(cancellationToken);
        query = Sorted(query, page.SortBy, page.Descending);

        var items = await query
            .Skip(page.Skip)
            .Take(page.Take)
            .Select(a => new AccountRow(
                a.Id,
                ((a.FirstName ?? "") + " " + (a.LastName ?? "")).Trim(),
                a.Username,
                a.OrganizationId,
                a.Organization!.Name,
                a.Status,
                a.Number != null ? a.Number.E164 : null,
                a.PermissionGroup!.Name,
                a.InvitationError))
            .ToListAsync(cancellationToken);
        return new Page<AccountRow>(items, total);
    }

    /// <summary>
    /// The accounts the search matches, in the context's scope, untracked and unordered: the table, the export and a bulk
    /// action on the filter (read again when the action is committed) read the same set.
    /// </summary>
    internal static IQueryable<Account> Filtered(MultiLineDbContext db, AccountSearch search)
    {
        var query = db.Visible<Account>().AsNoTracking();
        if (search.OrganizationId is { } organizationId)
            query = search.IncludeSubOrganizations ? InSubtreeOf(db, query, organizationId) : query.Where(a => a.OrganizationId == organizationId);
        if (search.Status is { } status)
            query = query.Where(a => a.Status == status);
        if (!string.IsNullOrWhiteSpace(search.Text))
            query = Matching(db, query, search.Text.Trim());
        return query;
    }

    /// <summary>The table's order for a column (<see cref="SortColumns"/>); newest first when none is given. Ties go by id, so the order is total.</summary>
    internal static IQueryable<Account> Sorted(IQueryable<Account> query, string? sortBy, bool descending) => (sortBy, descending) switch
    {
        ("Username", false) => query.OrderBy(a => a.NormalizedUsername),
        ("Username", true) => query.OrderByDescending(a => a.NormalizedUsername),
        ("Organization", false) => query.OrderBy(a => a.Organization!.Name).ThenBy(a => a.Id),
        ("Organization", true) => query.OrderByDescending(a => a.Organization!.Name).ThenBy(a => a.Id),
        ("Status", false) => query.OrderBy(a => a.Status).ThenBy(a => a.Id),
        ("Status", true) => query.OrderByDescending(a => a.Status).ThenBy(a => a.Id),
        ("Number", false) => query.OrderBy(a => a.Number!.E164).ThenBy(a => a.Id),
        ("Number", true) => query.OrderByDescending(a => a.Number!.E164).ThenBy(a => a.Id),
        ("PermissionGroup", false) => query.OrderBy(a => a.PermissionGroup!.Name).ThenBy(a => a.Id),
        ("PermissionGroup", true) => query.OrderByDescending(a => a.PermissionGroup!.Name).ThenBy(a => a.Id),
        ("Name", true) => query.OrderByDescending(a => a.LastName).ThenByDescending(a => a.FirstName).ThenBy(a => a.Id),
        ("Name", false) => query.OrderBy(a => a.LastName).ThenBy(a => a.FirstName).ThenBy(a => a.Id),
        _ => query.OrderByDescending(a => a.Id),
    };

    /// <summary>The columns the table sorts by.</summary>
    public static readonly IReadOnlySet<string> SortColumns =
        new HashSet<string>(StringComparer.Ordinal) { "Name", "Username", "Organization", "Status", "Number", "PermissionGroup" };

    /// <summary>
    /// Accounts of the organization and every organization below it. Both the root and the subtree are read through the
    /// scoped organizations, so an organization outside the scope yields nothing rather than widening what is seen.
    /// </summary>
    private static IQueryable<Account> InSubtreeOf(MultiLineDbContext db, IQueryable<Account> query, int organizationId)
    {
        var organizations = db.Visible<Organization>();
        var subtree = organizations
            .Where(o => organizations.Any(root => root.Id == organizationId && o.Path.StartsWith(root.Path)))
            .Select(o => o.Id);
        return query.Where(a => subtree.Contains(a.OrganizationId));
    }

    /// <summary>
    /// Accounts whose username or "first last" name contains the text (case-insensitive), or that hold a number whose
    /// digits contain the text's digits (three or more). Text of three characters or more goes through the engine's
    /// trigram index; shorter text scans with LIKE. Both give the same set.
    /// </summary>
    private static IQueryable<Account> Matching(MultiLineDbContext db, IQueryable<Account> query, string text)
    {
        var lower = text.ToLowerInvariant();
        var digits = new string(text.Where(char.IsDigit).ToArray());
        // Number matches are found once, as a set of holders, rather than joined into every account row; the holders
        // come from the numbers this context's scope sees, as the numbers shown in the table do.
        IQueryable<int>? holders = null;
        if (digits.Length >= IDatabaseEngine.TrigramLength)
        {
            var numbers = db.Engine?.NumbersContaining(db, digits)
                ?? db.Visible<MultiLineNumber>().Where(n => EF.Functions.Like(n.E164, "%" + digits + "%")).Select(n => n.Id);
            holders = db.Visible<MultiLineNumber>()
                .Where(n => n.AccountId != null && numbers.Contains(n.Id))
                .Select(n => n.AccountId!.Value);
        }

        var named = lower.Length >= IDatabaseEngine.TrigramLength && db.Engine is { } engine
            ? engine.AccountsContaining(db, lower)
            : NameOrUsernameLike(lower);
        if (holders is null)
            return query.Where(named);
        Expression<Func<Account, bool>> holdsOne = a => holders.Contains(a.Id);
        var account = named.Parameters[0];
        return query.Where(Expression.Lambda<Func<Account, bool>>(
            Expression.OrElse(named.Body, ReplacingExpressionVisitor.Replace(holdsOne.Parameters[0], account, holdsOne.Body)), account));
    }

    /// <summary>
    /// The search's meaning as LIKE: the username or the lower-cased "first last" name contains the lower-case text.
    /// Text shorter than a trigram is searched this way; PostgreSQL's trigram indexes serve this very condition.
    /// </summary>
    public static Expression<Func<Account, bool>> NameOrUsernameLike(string lowerText)
    {
        var pattern = LikePatterns.Containing(lowerText);
        return a => EF.Functions.Like(a.NormalizedUsername, pattern, "\\")
            // lower() on both sides: LIKE folds case on SQLite but not on PostgreSQL.
            || EF.Functions.Like(((a.FirstName ?? "") + " " + (a.LastName ?? "")).ToLower(), pattern, "\\");
    }
}
