using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

/// <summary>The account that already holds a username, and where it lives.</summary>
public sealed record UsernameHolder(string NormalizedUsername, string Organization, string OrganizationPath)
{
    /// <summary>The refusal for <paramref name="value"/>, naming the organization only when <paramref name="visible"/> says the reader may see it.</summary>
    public string Message(string value, Func<string, bool> visible) => Username.InUse(value, visible(OrganizationPath) ? Organization : null);
}

/// <summary>Who holds which usernames. Usernames are unique across all organizations, so callers pass a system context.</summary>
public static class UsernameHolders
{
    /// <summary>Values per lookup. They go as one parameter, so SQLite's parameter limit does not apply; this bounds a query's size.</summary>
    public const int LookupChunkSize = 5_000;

    public static Task<Dictionary<string, UsernameHolder>> FindAsync(MultiLineDbContext db, IEnumerable<string> normalizedUsernames, CancellationToken cancellationToken = default) =>
        FindDistinctAsync(db, normalizedUsernames.Distinct().ToArray(), cancellationToken);

    /// <summary>As <see cref="FindAsync"/>, for usernames known to be distinct (the keys of a dictionary).</summary>
    public static async Task<Dictionary<string, UsernameHolder>> FindDistinctAsync(MultiLineDbContext db, string[] normalizedUsernames, CancellationToken cancellationToken = default)
    {
        var holders = new Dictionary<string, UsernameHolder>(StringComparer.Ordinal);
        foreach (var chunk in Lookups.Chunks(normalizedUsernames, LookupChunkSize))
        {
            // One parameter holding the list (SQLite json_each, PostgreSQL an array), not one per value: a few hundred
            // parameters cost more to build and bind than the index lookups themselves.
            var found = await db.Accounts.AsNoTracking()
                .Where(a => EF.Parameter(chunk).Contains(a.NormalizedUsername))
                .Select(a => new UsernameHolder(a.NormalizedUsername, a.Organization!.Name, a.Organization.Path))
                .ToListAsync(cancellationToken);
            foreach (var holder in found)
                holders[holder.NormalizedUsername] = holder;
        }
        return holders;
    }
}
