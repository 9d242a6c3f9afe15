using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Invitations;
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
/// Numbers follow <see cref="NumberRules"/> with <c>byAdmin: false</c>: a CSV row may name only an Available number of the
/// chosen organization or one of its ancestors; any other organization's number "is allocated to another organization",
/// unnamed. The preview also predicts what Import &amp; Invite will do: a valid row that <see cref="InvitationRules"/> refuses,
/// or that free capacity cannot cover, carries a warning with the reason.
/// </remarks>
public sealed class ImportValidator(CsvFileReader reader, AccountInputValidator rules, SystemDbContextFactory databases, IDatabaseEngine engine)
{
    /// <summary>Values per lookup query (one parameter holds them all).</summary>
    public const int LookupChunkSize = UsernameHolders.LookupChunkSize;

    public Task<ImportValidationResult> ValidateAsync(Stream file, ImportTarget target, CancellationToken cancellationToken = default) =>
        ValidateAsync(ct => reader.ReadAsync(file, ct), target, cancellationToken);

    /// <summary>An upload as received: a CSV, or the chosen sheet of an Excel workbook.</summary>
    public Task<ImportValidationResult> ValidateAsync(ImportUpload upload, ImportTarget target, CancellationToken cancellationToken = default) =>
        ValidateAsync(ct => reader.ReadAsync(upload, CsvPurpose.Import, ct), target, cancellationToken);

    /// <remarks>
    /// Where the engine runs queries in process (<see cref="IDatabaseEngine.QueriesRunInProcess"/>, SQLite), a query is
    /// work for this machine's cores, so what needs only the target (its organization and group, and its free capacity)
    /// is looked up on other threads while the file is read, and the numbers beside the usernames, each on a context of
    /// its own: a check waits for the longer of two things rather than their sum. Over a network (PostgreSQL) the
    /// queries go one after the other on one connection: there a connection more per check cost more than it saved
    /// (docs/performance.md, round 6). Either way nothing started here outlives the check: every lookup is awaited (and
    /// its context disposed) on every path out, and findings are applied to the rows on this thread only.
    /// </remarks>
    private async Task<ImportValidationResult> ValidateAsync(Func<CancellationToken, Task<CsvReadResult>> readFile, ImportTarget target, CancellationToken cancellationToken)
    {
        // A system context: uniqueness and number ownership span all organizations. The admin's scope is checked
        // explicitly and picks the wording, so nothing of another subtree is named.
        var beside = engine.QueriesRunInProcess;
        var lookup = beside ? Task.Run(() => TargetLookup.OpenAsync(databases, target, cancellationToken), cancellationToken) : null;
        var capacity = beside ? Task.Run(() => FreeCapacityAsync(target.OrganizationId, cancellationToken), cancellationToken) : null;
        TargetLookup? found = null;
        try
        {
            var read = await readFile(cancellationToken);
            found = await (lookup ?? TargetLookup.OpenAsync(databases, target, cancellationToken));
            var (db, organization, group) = found;
            if (organization is null || !target.Scope.Includes(organization.Path))
                return Refused(read, "The chosen organization does not exist or is outside your scope.");
            if (group is null)
                return Refused(read, $"The chosen User Permissions group is not available to organization {organization.Name}.");
            if (read.HasFileErrors)
                return new ImportValidationResult(read.FileProblems, [], read.Sha256, null);

            var context = new AccountRulesContext(organization, group);
            var rows = new List<RowState>(read.Rows.Count);
            foreach (var row in read.Rows)
            {
                var check = rules.Check(row.Values, context, row.RowNumber);
                rows.Add(new RowState(row, check));
            }

            var usernames = FindDuplicates(rows, r => r.Check.NormalizedUsername, CsvColumn.Username);
            var numbers = FindDuplicates(rows, r => r.Check.MultiLineNumberE164, CsvColumn.MultiLineNumber);
            var numbersFound = numbers.Count == 0 || !beside ? null
                : Task.Run(() => FindNumbersOnOwnContextAsync([.. numbers.Keys], cancellationToken), cancellationToken);
            try
            {
                CheckExistingUsernames(await UsernameHolders.FindDistinctAsync(db, [.. usernames.Keys], cancellationToken), usernames, target.Scope);
            }
            finally
            {
                // Never left running past the check, whatever the usernames' lookup did.
                await SettledAsync(numbersFound ?? Task.CompletedTask);
            }
            CheckNumbers(await (numbersFound ?? FindNumbersAsync(db, [.. numbers.Keys], cancellationToken)), numbers, organization);
            await CheckReservedTagsAsync(db, rows, organization, cancellationToken);

            var withoutNumber = WarnAboutInvitations(rows, organization);
            // Looked up only for a file with a refused phone value that may be a national number (the repair needs the country).
            var home = rows.Exists(r => r.MayBeNationalNumber()) ? await HomeCountryAsync(db, organization, cancellationToken) : null;
            var results = rows.Select(r => r.ToRow(home, organization)).ToArray();
            var free = await (capacity ?? db.FreeCapacityAsync(organization.Id, cancellationToken));
            return new ImportValidationResult(read.FileProblems, results, read.Sha256, new ImportCapacity(withoutNumber, free));
        }
        finally
        {
            // A failure was thrown above when the check needed the result; a refused check never reads the capacity.
            await SettledAsync(lookup ?? Task.CompletedTask, capacity ?? Task.CompletedTask);
            if ((found ?? (lookup is { IsCompletedSuccessfully: true } ? lookup.Result : null)) is { } opened)
                await opened.Db.DisposeAsync();
        }
    }

    /// <summary>Waits for every task to end, whether it succeeded or not (their outcome is read where it is needed).</summary>
    private static async Task SettledAsync(params Task[] tasks)
    {
        try
        {
            await Task.WhenAll(tasks);
        }
        catch
        {
            // Observed here so a failure is never unobserved; whoever needs the result awaits the task itself.
        }
    }

    private async Task<FreeCapacity> FreeCapacityAsync(int organizationId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        return await db.FreeCapacityAsync(organizationId, cancellationToken);
    }

    /// <summary>The target's organization and group, and the context the row lookups go on (open, one connection for all).</summary>
    private sealed record TargetLookup(MultiLineDbContext Db, Organization? Organization, PermissionGroup? Group)
    {
        public static async Task<TargetLookup> OpenAsync(SystemDbContextFactory databases, ImportTarget target, CancellationToken cancellationToken)
        {
            var db = await databases.CreateAsync(cancellationToken);
            try
            {
                // One connection for the check's few queries: each open would otherwise set the engine's session options again.
                await db.Database.OpenConnectionAsync(cancellationToken);
                var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == target.OrganizationId, cancellationToken);
                if (organization is null)
                    return new TargetLookup(db, null, null);
                var ancestors = organization.AncestorIdsAndSelf();
                var group = await db.PermissionGroups.AsNoTracking()
                    .FirstOrDefaultAsync(g => g.Id == target.PermissionGroupId && ancestors.Contains(g.OrganizationId), cancellationToken);
                return new TargetLookup(db, organization, group);
            }
            catch
            {
                await db.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Warns on each valid row that Import &amp; Invite would import but not invite because the invitation rules refuse it.
    /// Free capacity concerns the rows together, so it is one figure for the file (<see cref="ImportCapacity"/>), not a
    /// warning on each row. Returns how many valid rows hold no number.
    /// </summary>
    private static int WarnAboutInvitations(List<RowState> rows, Organization organization)
    {
        var withoutNumber = 0;
        foreach (var row in rows.Where(r => r.IsValid))
        {
            var draft = row.Check.Draft!;
            if (InvitationRules.Refusal(draft.Username.Value, organization) is { } refusal)
                row.Warn(CsvColumn.Username, $"{NotInvited} {refusal}");
            if (draft.MultiLineNumber is null)
                withoutNumber++;
        }
        return withoutNumber;
    }

    /// <summary>The start of every warning about a row that imports but would not be invited.</summary>
    public const string NotInvited = "Import & Invite would import this row but not invite it:";

    private static ImportValidationResult Refused(CsvReadResult read, string message) =>
        new([ImportProblem.FileError(message), .. read.FileProblems], [], read.Sha256, null);

    /// <summary>Flags every repeat of a key on the later row, naming the first; returns the first row of each key.</summary>
    private static Dictionary<string, RowState> FindDuplicates(List<RowState> rows, Func<RowState, string?> key, CsvColumn column)
    {
        var first = new Dictionary<string, RowState>(rows.Count, StringComparer.Ordinal);
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

    private static void CheckExistingUsernames(Dictionary<string, UsernameHolder> holders, Dictionary<string, RowState> rows, AdminScope scope)
    {
        foreach (var (normalized, holder) in holders)
        {
            var row = rows[normalized];
            row.Add(CsvColumn.Username, holder.Message(row.Value(CsvColumn.Username)!, scope.Includes));
        }
    }

    private sealed record FoundNumber(string E164, NumberState State, string? ReservationTag, string OrganizationPath);

    private async Task<List<FoundNumber>> FindNumbersOnOwnContextAsync(string[] e164s, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateAsync(cancellationToken);
        return await FindNumbersAsync(db, e164s, cancellationToken);
    }

    /// <summary>The inventory's numbers among <paramref name="e164s"/>, from every organization (a system context).</summary>
    private static async Task<List<FoundNumber>> FindNumbersAsync(MultiLineDbContext db, string[] e164s, CancellationToken cancellationToken)
    {
        var found = new List<FoundNumber>();
        foreach (var chunk in Lookups.Chunks(e164s, LookupChunkSize))
            found.AddRange(await db.Numbers.AsNoTracking()
                .Where(n => EF.Parameter(chunk).Contains(n.E164))
                .Select(n => new FoundNumber(n.E164, n.State, n.ReservationTag, n.Organization!.Path))
                .ToListAsync(cancellationToken));
        return found;
    }

    private static void CheckNumbers(List<FoundNumber> numbers, Dictionary<string, RowState> rows, Organization organization)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var number in numbers)
        {
            found.Add(number.E164);
            var row = rows[number.E164];
            var owned = organization.Path.StartsWith(number.OrganizationPath, StringComparison.Ordinal);
            if (NumberRules.Refusal($"\"{row.Value(CsvColumn.MultiLineNumber)}\"", number.State, number.ReservationTag, owned, byAdmin: false) is { } refusal)
                row.Add(CsvColumn.MultiLineNumber, refusal);
        }
        foreach (var (e164, row) in rows)
        {
            if (!found.Contains(e164))
                row.Add(CsvColumn.MultiLineNumber, $"\"{row.Value(CsvColumn.MultiLineNumber)}\" is not a MultiLine number in the inventory.");
        }
    }

    /// <summary>The calling code of most of the numbers the organization may hand out (its own and its ancestors'), or null.</summary>
    private static async Task<int?> HomeCountryAsync(MultiLineDbContext db, Organization organization, CancellationToken cancellationToken)
    {
        var ancestors = organization.AncestorIdsAndSelf();
        var numbers = await db.Numbers.AsNoTracking()
            .Where(n => ancestors.Contains(n.OrganizationId))
            .OrderBy(n => n.Id).Select(n => n.E164).Take(200)
            .ToListAsync(cancellationToken);
        return SpreadsheetDamage.HomeCountry(numbers);
    }

    /// <summary>Rows asking for "tag:X": the rows beyond the Reserved numbers left with that tag are refused (one query for all tags).</summary>
    private static async Task CheckReservedTagsAsync(MultiLineDbContext db, List<RowState> rows, Organization organization, CancellationToken cancellationToken)
    {
        var asking = rows.Where(r => r.IsValid && ReservedTagNumbers.IsTag(r.Check.Draft!.MultiLineNumber)).ToList();
        if (asking.Count == 0)
            return;
        var tags = asking.Select(r => r.Check.Draft!.MultiLineNumber![ReservedTagNumbers.Prefix.Length..]).ToList();
        foreach (var (index, message) in await ReservedTagNumbers.ShortfallsAsync(db, tags, organization.AncestorIdsAndSelf(), cancellationToken))
            asking[index].Add(CsvColumn.MultiLineNumber, message);
    }

    private sealed class RowState(CsvRow row, AccountCheck check)
    {
        private List<ImportProblem>? _added;

        public int RowNumber => row.RowNumber;
        public AccountCheck Check => check;

        public string? Value(CsvColumn column) => row.Values[column];

        /// <summary>No error so far, from the cell rules or the checks across rows and against the database.</summary>
        public bool IsValid => check.Draft is not null && row.Problems.All(p => !p.IsError) && (_added is null || _added.All(p => !p.IsError));

        public void Add(CsvColumn column, string message) =>
            (_added ??= []).Add(new ImportProblem(row.RowNumber, column.Name(), Value(column), message, ProblemSeverity.Error));

        public void Warn(CsvColumn column, string message) =>
            (_added ??= []).Add(new ImportProblem(row.RowNumber, column.Name(), Value(column), message, ProblemSeverity.Warning));

        /// <summary>A phone value the rules refused that may be a national number (see <see cref="SpreadsheetDamage.MayBeNational"/>).</summary>
        public bool MayBeNationalNumber()
        {
            if (IsValid)
                return false;
            foreach (var column in SpreadsheetDamage.PhoneColumns)
                if (SpreadsheetDamage.MayBeNational(Value(column)) && (HasError(row.Problems, column) || HasError(check.Problems, column)))
                    return true;
            return false;
        }

        /// <summary>
        /// The row with its problems in column order (reading problems, cell rules, then the checks across rows and against
        /// the database, each in the order found). Built without LINQ: a file's every row passes here, and most rows of a
        /// real file carry a warning or two.
        /// </summary>
        public ImportRow ToRow(int? homeCountry, Organization organization)
        {
            var count = row.Problems.Count + check.Problems.Count + (_added?.Count ?? 0);
            if (count == 0)
                return new ImportRow(row.RowNumber, row.Values, check.Draft, []);
            var problems = new ImportProblem[count];
            var at = 0;
            // Indexed loops: a foreach over the interfaces would allocate an enumerator for each list of each row.
            for (var i = 0; i < row.Problems.Count; i++)
                problems[at++] = row.Problems[i];
            for (var i = 0; i < check.Problems.Count; i++)
                problems[at++] = check.Problems[i].Row == row.RowNumber ? check.Problems[i] : check.Problems[i] with { Row = row.RowNumber };
            for (var i = 0; i < (_added?.Count ?? 0); i++)
                problems[at++] = _added![i];
            if (count > 1)
                SortByColumn(problems);
            var valid = Array.TrueForAll(problems, p => !p.IsError);
            // A refused phone value may be one a spreadsheet damaged: the repair is proposed, never applied.
            return new ImportRow(row.RowNumber, row.Values, valid ? check.Draft : null, problems)
            {
                Repairs = valid ? [] : Acceptable(SpreadsheetDamage.Inspect(row.RowNumber, row.Values, column => HasError(row.Problems, column) || HasError(check.Problems, column), homeCountry), organization),
            };
        }

        /// <summary>
        /// A repair the organization would refuse anyway is not proposed: a phone-number username where SMTP data offload
        /// takes only email addresses would only trade one error for another.
        /// </summary>
        private static IReadOnlyList<SpreadsheetRepair> Acceptable(IReadOnlyList<SpreadsheetRepair> repairs, Organization organization)
        {
            bool Refused(SpreadsheetRepair r) => r is { Column: CsvColumn.Username, Proposed: { } proposed } && OrganizationRules.UsernameRefusal(proposed, organization) is not null;
            return repairs.Any(Refused) ? repairs.Where(r => !Refused(r)).ToList() : repairs;
        }

        private static bool HasError(IReadOnlyList<ImportProblem> problems, CsvColumn column)
        {
            var name = column.Name();
            foreach (var problem in problems)
                if (problem.IsError && problem.Column == name)
                    return true;
            return false;
        }

        /// <summary>A stable insertion sort by column (row-wide problems first): a row has a handful of problems at most.</summary>
        private static void SortByColumn(ImportProblem[] problems)
        {
            for (var i = 1; i < problems.Length; i++)
            {
                var problem = problems[i];
                var order = problem.Column is null ? -1 : ColumnOrder(problem.Column);
                var j = i - 1;
                while (j >= 0 && (problems[j].Column is null ? -1 : ColumnOrder(problems[j].Column!)) > order)
                {
                    problems[j + 1] = problems[j];
                    j--;
                }
                problems[j + 1] = problem;
            }
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
