using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Admins;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Imports;

/// <summary>Where an upload goes and who uploads it: the chosen organization and permission group, and the admin's scope.</summary>
public sealed record ImportTarget(int OrganizationId, int PermissionGroupId, AdminScope Scope);

/// <summary>
/// Checks an uploaded account CSV before anything is written: reads it, applies the per-cell rules, then the rules across
/// rows (duplicates) and against the database (existing usernames, the numbers named), and reports the free capacity.
/// Database checks are set-based, a few queries per 500 rows.
/// </summary>
/// <remarks>
/// Numbers: a CSV row may name only an <see cref="NumberState.Available"/> number (DOMAIN.md; <see cref="NumberRules.CanBeTakenBy"/>
/// with <c>byAdmin: false</c>). A Reserved number is an error explaining that an admin hands it out from the single-account
/// form. A number allocated to the chosen organization or to one of its ancestors is usable (numbers serve their
/// organization's subtree); any other organization's number "is allocated to another organization", unnamed.
/// </remarks>
public sealed class ImportValidator(CsvFileReader reader, AccountInputValidator rules, SystemDbContextFactory databases)
{
    /// <summary>Values per IN list, well under SQLite's parameter limit.</summary>
    public const int LookupChunkSize = 500;

    public async Task<ImportValidationResult> ValidateAsync(Stream file, ImportTarget target, CancellationToken cancellationToken = default)
    {
        var read = await reader.ReadAsync(file, cancellationToken);

        // A system context: uniqueness and number ownership span all organizations. The admin's scope is checked
        // explicitly and picks the wording, so nothing of another subtree is named.
        await using var db = await databases.CreateAsync(cancellationToken);
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == target.OrganizationId, cancellationToken);
        if (organization is null || !target.Scope.Includes(organization.Path))
            return Refused(read, "The chosen organization does not exist or is outside your scope.");
        var ancestors = organization.AncestorIdsAndSelf();
        var group = await db.PermissionGroups.AsNoTracking()
            .FirstOrDefaultAsync(g => g.Id == target.PermissionGroupId && ancestors.Contains(g.OrganizationId), cancellationToken);
        if (group is null)
            return Refused(read, $"The chosen User Permissions group is not available to organization {organization.Name}.");
        if (read.HasFileErrors)
            return new ImportValidationResult(read.FileProblems, [], read.Sha256, null);

        var context = new AccountRulesContext(organization, group);
        var rows = new List<RowState>(read.Rows.Count);
        foreach (var row in read.Rows)
        {
            var check = rules.Check(row.Values, context);
            rows.Add(new RowState(row, check));
        }

        var usernames = FindDuplicates(rows, r => r.Check.NormalizedUsername, CsvColumn.Username);
        var numbers = FindDuplicates(rows, r => r.Check.MultiLineNumberE164, CsvColumn.MultiLineNumber);
        await CheckExistingUsernamesAsync(db, usernames, target.Scope, cancellationToken);
        await CheckNumbersAsync(db, numbers, organization, cancellationToken);

        var results = rows.Select(r => r.ToRow()).ToArray();
        var capacity = new ImportCapacity(
            results.Count(r => r.IsValid && r.Draft!.MultiLineNumber is null),
            await db.FreeCapacityAsync(organization.Id, cancellationToken));
        return new ImportValidationResult(read.FileProblems, results, read.Sha256, capacity);
    }

    private static ImportValidationResult Refused(CsvReadResult read, string message) =>
        new([ImportProblem.FileError(message), .. read.FileProblems], [], read.Sha256, null);

    /// <summary>Flags every repeat of a key on the later row, naming the first; returns the first row of each key.</summary>
    private static Dictionary<string, RowState> FindDuplicates(List<RowState> rows, Func<RowState, string?> key, CsvColumn column)
    {
        var first = new Dictionary<string, RowState>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (key(row) is not { } value)
                continue;
            if (first.TryGetValue(value, out var earlier))
                row.Add(column, $"\"{row.Value(column)}\" is also on row {earlier.RowNumber}.");
            else
                first.Add(value, row);
        }
        return first;
    }

    private static async Task CheckExistingUsernamesAsync(MultiLineDbContext db, Dictionary<string, RowState> rows, AdminScope scope, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Keys.Chunk(LookupChunkSize))
        {
            var existing = await db.Accounts.AsNoTracking()
                .Where(a => chunk.Contains(a.NormalizedUsername))
                .Select(a => new { a.NormalizedUsername, Organization = a.Organization!.Name, a.Organization.Path })
                .ToListAsync(cancellationToken);
            foreach (var account in existing)
            {
                var row = rows[account.NormalizedUsername];
                var value = row.Value(CsvColumn.Username);
                row.Add(CsvColumn.Username, scope.Includes(account.Path)
                    ? $"\"{value}\" already exists in organization {account.Organization}."
                    : $"\"{value}\" is already in use.");
            }
        }
    }

    private static async Task CheckNumbersAsync(MultiLineDbContext db, Dictionary<string, RowState> rows, Organization organization, CancellationToken cancellationToken)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in rows.Keys.Chunk(LookupChunkSize))
        {
            var numbers = await db.Numbers.AsNoTracking()
                .Where(n => chunk.Contains(n.E164))
                .Select(n => new { n.E164, n.State, n.ReservationTag, OrganizationPath = n.Organization!.Path })
                .ToListAsync(cancellationToken);
            foreach (var number in numbers)
            {
                found.Add(number.E164);
                var row = rows[number.E164];
                var value = $"\"{row.Value(CsvColumn.MultiLineNumber)}\"";
                if (!organization.Path.StartsWith(number.OrganizationPath, StringComparison.Ordinal))
                    row.Add(CsvColumn.MultiLineNumber, $"{value} is allocated to another organization.");
                else if (number.State is NumberState.Assigned or NumberState.Registered)
                    row.Add(CsvColumn.MultiLineNumber, $"{value} is already assigned to another account.");
                else if (number.State == NumberState.Reserved)
                    row.Add(CsvColumn.MultiLineNumber,
                        $"{value} is reserved{(number.ReservationTag is { } tag ? $" ({tag})" : "")}; only an admin can hand out a reserved number, from the single-account form.");
            }
        }
        foreach (var (e164, row) in rows)
        {
            if (!found.Contains(e164))
                row.Add(CsvColumn.MultiLineNumber, $"\"{row.Value(CsvColumn.MultiLineNumber)}\" is not a MultiLine number in the inventory.");
        }
    }

    private sealed class RowState(CsvRow row, AccountCheck check)
    {
        private List<ImportProblem>? _added;

        public int RowNumber => row.RowNumber;
        public AccountCheck Check => check;

        public string? Value(CsvColumn column) => row.Values[column];

        public void Add(CsvColumn column, string message) =>
            (_added ??= []).Add(new ImportProblem(row.RowNumber, column.Name(), Value(column), message, ProblemSeverity.Error));

        public ImportRow ToRow()
        {
            IReadOnlyList<ImportProblem> problems;
            if (row.Problems.Count == 0 && check.Problems.Count == 0 && _added is null)
                problems = [];
            else
                problems = row.Problems
                    .Concat(check.Problems.Select(p => p with { Row = row.RowNumber }))
                    .Concat(_added ?? [])
                    .OrderBy(p => p.Column is null ? -1 : ColumnOrder(p.Column))
                    .ToArray();
            var valid = !problems.Any(p => p.IsError);
            return new ImportRow(row.RowNumber, row.Values, valid ? check.Draft : null, problems);
        }

        private static int ColumnOrder(string name)
        {
            foreach (var column in CsvColumns.All)
                if (column.Name() == name)
                    return (int)column;
            return int.MaxValue;
        }
    }
}
