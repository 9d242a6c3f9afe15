using MultiLine.Core.Activity;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Imports;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Accounts;

/// <summary>How a row of an update file fares.</summary>
public enum UpdateRowOutcome { Changes, Unchanged, Refused }

/// <summary>
/// One row of an update file: the account it names (by username, in the admin's scope), what would change (before → after),
/// or why it is refused. <see cref="Change"/> is what the batch will set when the row runs.
/// </summary>
public sealed record AccountUpdateRow(
    int RowNumber, string? Username, int? AccountId, UpdateRowOutcome Outcome, IReadOnlyList<FieldChange> Changes,
    IReadOnlyList<ImportProblem> Problems, AccountSettingsChange? Change, string? FirstName, string? LastName)
{
    /// <summary>The errors that refuse the row, in the admin's words.</summary>
    public string Reason => string.Join(" ", Problems.Where(p => p.IsError).Select(p => p.Column is null ? p.Message : $"{p.Column}: {p.Message}"));

    /// <summary>"language English → Italian; User Permissions Standard → Messaging only".</summary>
    public string Summary => string.Join("; ", Changes.Select(c => c.Text));
}

public sealed record AccountUpdateCounts(int Total, int Changing, int Unchanged, int Refused);

/// <summary>Everything the admin sees before updating accounts from a file. Nothing was written.</summary>
public sealed record AccountUpdatePreview(IReadOnlyList<ImportProblem> FileProblems, IReadOnlyList<AccountUpdateRow> Rows, string? Sha256)
{
    public AccountUpdateCounts Counts { get; } = new(
        Rows.Count,
        Rows.Count(r => r.Outcome == UpdateRowOutcome.Changes),
        Rows.Count(r => r.Outcome == UpdateRowOutcome.Unchanged),
        Rows.Count(r => r.Outcome == UpdateRowOutcome.Refused));

    public bool HasFileErrors => FileProblems.Any(p => p.IsError);
    public IEnumerable<ImportProblem> FileErrors => FileProblems.Where(p => p.IsError);
    public IEnumerable<ImportProblem> FileWarnings => FileProblems.Where(p => !p.IsError);

    /// <summary>The file can be read and at least one row changes an account.</summary>
    public bool CanUpdate => !HasFileErrors && Counts.Changing > 0;
}

/// <summary>The admin's "Update accounts" after the preview: the file, and the preview they saw (the page passes it; the API does not).</summary>
public sealed record AccountUpdateCommand(ImportUpload Upload, Activity.ActivityActor Actor, AccountUpdatePreview? Preview = null);

/// <summary>The queued batch, or why nothing was stored, with the file as it was checked at commit time.</summary>
public sealed record AccountUpdateOutcome(SubmitResult Result, AccountUpdatePreview Preview)
{
    public bool Succeeded => Result.Succeeded;
}

/// <summary>
/// "Update accounts from CSV", the way back of the accounts export: rows are matched by username within the admin's scope
/// (an unknown username and one outside the scope are refused alike, so nothing of another tenant shows), and each row
/// sets the values its non-empty cells give: first and last name, User Permissions (by name, as the export writes it),
/// social messaging and its restrict flag, monitor calls and SMS, forwarding number and language. Missing or empty cells
/// leave a value as it is; the export's read-only columns are ignored, with a note. The file is read by the import's
/// reader and checked by the import's per-cell rules; what a row changes is decided by <see cref="AccountSettings.Apply"/>,
/// which the batch's <see cref="UpdateRowHandler"/> runs again when the row is processed.
/// </summary>
public sealed class AccountUpdate(CsvFileReader reader, AccountInputValidator rules, BatchQueue queue, TimeProvider clock)
{
    public const string NotInScope = "No account with this username exists in your scope.";
    public const string NothingToChange = "Nothing to change: the account already has these values.";

    /// <summary>Checks the file against the accounts as they are now, in the scope of <paramref name="scopedDb"/>.</summary>
    public async Task<AccountUpdatePreview> PreviewAsync(MultiLineDbContext scopedDb, ImportUpload upload, CancellationToken cancellationToken = default)
    {
        var read = await reader.ReadAsync(upload, CsvPurpose.Update, cancellationToken);
        if (read.HasFileErrors)
            return new AccountUpdatePreview(read.FileProblems, [], read.Sha256);

        var inputs = read.Rows.Select(r => (Row: r, Values: r.Values)).ToList();
        var normalized = inputs.Select(r => Username.NormalizeOrNull(CellText.InvisibleAsSpaces(r.Values.Username ?? ""))).ToList();
        var accounts = new Dictionary<string, Account>(StringComparer.Ordinal);
        foreach (var chunk in normalized.OfType<string>().Distinct().Chunk(UsernameHolders.LookupChunkSize))
            foreach (var account in await scopedDb.Accounts.AsNoTracking().Where(a => EF.Parameter(chunk).Contains(a.NormalizedUsername)).ToListAsync(cancellationToken))
                accounts[account.NormalizedUsername] = account;
        var organizationIds = accounts.Values.Select(a => a.OrganizationId).Distinct().ToArray();
        var organizations = await scopedDb.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
        var ancestors = organizations.Values.SelectMany(o => o.AncestorIdsAndSelf()).Distinct().ToArray();
        var groups = await scopedDb.PermissionGroups.AsNoTracking().Where(g => ancestors.Contains(g.OrganizationId)).ToListAsync(cancellationToken);

        var firstRow = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = new List<AccountUpdateRow>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var (row, values) = inputs[i];
            var key = normalized[i];
            if (key is not null && firstRow.TryGetValue(key, out var earlier))
            {
                rows.Add(Refused(row, values, CsvColumn.Username, $"{ImportProblem.Quote(values.Username!)} is also on row {earlier}; each account may be on one row only."));
                continue;
            }
            if (key is not null)
                firstRow[key] = row.RowNumber;
            if (key is null || !accounts.TryGetValue(key, out var found))
            {
                var reason = string.IsNullOrEmpty(values.Username) ? "Missing. Enter the username of the account to update." : $"{ImportProblem.Quote(values.Username)}: {NotInScope}";
                rows.Add(Refused(row, values, CsvColumn.Username, reason));
                continue;
            }
            var organization = organizations[found.OrganizationId];
            rows.Add(Check(row, values, found, organization, AccountSettings.UsableBy(organization, groups)));
        }
        return new AccountUpdatePreview(read.FileProblems, rows, read.Sha256);
    }

    /// <summary>Checks the file again and, unless rows fare differently than in the preview, stores the batch for the worker.</summary>
    public async Task<AccountUpdateOutcome> CommitAsync(MultiLineDbContext scopedDb, AccountUpdateCommand command, CancellationToken cancellationToken = default)
    {
        var preview = await PreviewAsync(scopedDb, command.Upload, cancellationToken);
        if (preview.HasFileErrors)
            return new(SubmitResult.Refused(SubmitRefusal.UnreadableFile, string.Join(" ", preview.FileErrors.Select(p => p.Text))), preview);
        if (command.Preview is { } before && Differences(before, preview) is { Count: > 0 } differences)
        {
            var listed = differences.Take(AccountImport.ListedChanges).ToList();
            if (differences.Count > AccountImport.ListedChanges)
                listed.Add($"and {Words.Count(differences.Count - AccountImport.ListedChanges, "more change")}");
            return new(SubmitResult.Refused(SubmitRefusal.ChangedSincePreview,
                $"Nothing was updated: since you checked the file, {Words.Count(differences.Count, "thing")} changed. {string.Join(" ", listed)} Check the file again below, then choose Update accounts."), preview);
        }
        if (preview.Counts.Changing == 0)
            return new(SubmitResult.Refused(SubmitRefusal.NothingToImport, "No row of the file changes an account: there is nothing to update."), preview);

        var changing = preview.Rows.Where(r => r.Outcome == UpdateRowOutcome.Changes).Select(r => r.AccountId!.Value).ToList();
        var paths = await scopedDb.Accounts.Where(a => changing.Contains(a.Id)).Select(a => a.Organization!.Path).Distinct().ToListAsync(cancellationToken);
        if (AccountBatchSubmission.CommonOrganization(paths) is not { } organizationId)
            return new(SubmitResult.Refused(SubmitRefusal.NothingToImport,
                "The file's accounts belong to unrelated organizations. Update the accounts of one organization tree at a time."), preview);

        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new BatchOperation
        {
            Kind = BatchKind.Update,
            AdminId = scopedDb.Scope.AdminId,
            AdminName = command.Actor.BatchAdminName,
            OrganizationId = organizationId,
            FileName = Path.GetFileName(command.Upload.FileName),
            FileSha256 = preview.Sha256,
            TotalRows = preview.Rows.Count,
            Failed = preview.Counts.Refused,
            Skipped = preview.Counts.Unchanged,
            CreatedAtUtc = now,
        };
        // Every input row goes into the batch, so the report lists them all: refused and unchanged rows are done already.
        batch.Rows.AddRange(preview.Rows.Select(r => r.Outcome switch
        {
            UpdateRowOutcome.Changes => BatchRow.ForUpdate(r.RowNumber, r.AccountId!.Value, r.Username!, r.FirstName, r.LastName, r.Change!),
            UpdateRowOutcome.Unchanged => Done(r, RowOutcome.Skipped, NothingToChange, now),
            _ => Done(r, RowOutcome.Failed, r.Reason, now),
        }));
        await using var transaction = await scopedDb.Database.BeginTransactionAsync(cancellationToken);
        scopedDb.Batches.Add(batch);
        await scopedDb.SaveChangesAsync(cancellationToken);
        Activity.ActivityLog.RecordBatch(scopedDb, command.Actor, now, Activity.ActivityActions.UpdateSubmit, batch,
            $"{batch.FileName}: {Words.Count(preview.Counts.Changing, "account")} to update, {preview.Counts.Unchanged} unchanged, {preview.Counts.Refused} refused");
        await scopedDb.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        queue.Enqueue(batch.Id);
        return new(new SubmitResult(batch.Id, null, null), preview);
    }

    /// <summary>How the rows fare now compared with the preview, one sentence per row that fares differently.</summary>
    public static IReadOnlyList<string> Differences(AccountUpdatePreview before, AccountUpdatePreview now)
    {
        if (before.Sha256 != now.Sha256)
            return ["The file is not the one that was checked."];
        var earlier = before.Rows.ToDictionary(r => r.RowNumber);
        var differences = new List<string>();
        foreach (var row in now.Rows)
        {
            if (!earlier.TryGetValue(row.RowNumber, out var was) || (was.Outcome == row.Outcome && was.Summary == row.Summary))
                continue;
            differences.Add(row.Outcome switch
            {
                UpdateRowOutcome.Refused => $"Row {row.RowNumber} is now refused: {row.Reason}",
                UpdateRowOutcome.Unchanged => $"Row {row.RowNumber} no longer changes anything.",
                _ => $"Row {row.RowNumber} would now change {row.Summary}.",
            });
        }
        return differences;
    }

    /// <summary>
    /// One row against its account: the account's own values stand in for empty cells, the import's rules check the result,
    /// and <see cref="AccountSettings.Apply"/> says what changes, on a copy of the account.
    /// </summary>
    private AccountUpdateRow Check(CsvRow row, AccountInput values, Account account, Organization organization, IReadOnlyList<PermissionGroup> usable)
    {
        var given = CsvColumns.All.Where(c => c != CsvColumn.Username && c != CsvColumn.MultiLineNumber && !string.IsNullOrEmpty(values[c])).ToHashSet();
        var problems = new List<ImportProblem>(row.Problems);

        var group = usable.FirstOrDefault(g => g.Id == account.PermissionGroupId);
        if (!string.IsNullOrEmpty(values.PermissionGroup))
        {
            // By name, as the export writes it; the nearest organization's group first when an ancestor has one of the same name.
            var path = organization.AncestorIdsAndSelf().ToList();
            var named = usable.Where(g => string.Equals(g.Name.Trim(), values.PermissionGroup, StringComparison.OrdinalIgnoreCase))
                .OrderByDescending(g => path.IndexOf(g.OrganizationId)).FirstOrDefault();
            if (named is null)
                problems.Add(new ImportProblem(row.RowNumber, CsvColumn.PermissionGroup.Name(), values.PermissionGroup,
                    $"{ImportProblem.Quote(values.PermissionGroup)} is not a User Permissions group of organization {organization.Name}; use one of {CsvColumns.JoinAnd(usable.Select(g => g.Name).Order().ToList())}.",
                    ProblemSeverity.Error));
            else
                group = named;
        }

        // Social messaging the organization lacks is not written back in for an account that has it: only a file may ask for it.
        var currentSocial = account.SocialMessaging && organization.SocialMessagingEnabled;
        var input = new AccountInput
        {
            FirstName = Given(values.FirstName, account.FirstName),
            LastName = Given(values.LastName, account.LastName),
            Username = account.Username,
            SocialMessaging = Given(values.SocialMessaging, AccountCsvText.YesNo(currentSocial)),
            MonitorCalls = Given(values.MonitorCalls, AccountCsvText.Text(account.MonitorCalls)),
            MonitorSms = Given(values.MonitorSms, AccountCsvText.Text(account.MonitorSms)),
            ForwardingNumber = Given(values.ForwardingNumber, account.ForwardingNumber),
            RestrictIncomingSocialMessaging = Given(values.RestrictIncomingSocialMessaging, AccountCsvText.TrueFalse(account.RestrictIncomingSocialMessaging)),
            Language = Given(values.Language, AccountCsvText.Text(account.Language)),
        };
        var check = group is null ? null : rules.Check(input, new AccountRulesContext(organization, group));
        // Only what the file says is the admin's to look at: problems of the values standing in for empty cells are not theirs,
        // and a warning about a value the account has already (an exported "false" beside social messaging No) is noise.
        bool Kept(ImportProblem p) =>
            p.Column is not null && CsvColumns.TryMatch(p.Column, out var column) && given.Contains(column)
            && (p.IsError || !string.Equals(CellText.Trim(values[column]), Current(account, column), StringComparison.OrdinalIgnoreCase));
        problems.AddRange((check?.Problems ?? []).Where(Kept).Select(p => p with { Row = row.RowNumber }));
        if (problems.Any(p => p.IsError) || check?.Draft is not { } draft)
            return Refused(row, values, problems, account.Id);

        var change = new AccountSettingsChange(
            given.Contains(CsvColumn.FirstName) ? draft.FirstName : null,
            given.Contains(CsvColumn.LastName) ? draft.LastName : null,
            !string.IsNullOrEmpty(values.PermissionGroup) ? group!.Id : null,
            given.Contains(CsvColumn.SocialMessaging) ? draft.SocialMessaging : null,
            given.Contains(CsvColumn.RestrictIncomingSocialMessaging) ? draft.RestrictIncomingSocialMessaging : null,
            given.Contains(CsvColumn.MonitorCalls) ? draft.MonitorCalls : null,
            given.Contains(CsvColumn.MonitorSms) ? draft.MonitorSms : null,
            given.Contains(CsvColumn.ForwardingNumber) ? draft.ForwardingNumber : null,
            given.Contains(CsvColumn.Language) ? draft.Language : null);
        var copy = Copy(account);
        var outcome = AccountSettings.Apply(copy, change, organization, usable);
        if (outcome.Refusal is { } refusal)
            return Refused(row, values, [.. problems, new ImportProblem(row.RowNumber, null, null, refusal, ProblemSeverity.Error)], account.Id);
        return new AccountUpdateRow(row.RowNumber, account.Username, account.Id, outcome.Unchanged ? UpdateRowOutcome.Unchanged : UpdateRowOutcome.Changes,
            outcome.Changes, problems, change, copy.FirstName, copy.LastName);
    }

    /// <summary>The account's value as the export writes it.</summary>
    private static string? Current(Account account, CsvColumn column) => column switch
    {
        CsvColumn.FirstName => account.FirstName,
        CsvColumn.LastName => account.LastName,
        CsvColumn.SocialMessaging => AccountCsvText.YesNo(account.SocialMessaging),
        CsvColumn.MonitorCalls => AccountCsvText.Text(account.MonitorCalls),
        CsvColumn.MonitorSms => AccountCsvText.Text(account.MonitorSms),
        CsvColumn.ForwardingNumber => account.ForwardingNumber,
        CsvColumn.RestrictIncomingSocialMessaging => AccountCsvText.TrueFalse(account.RestrictIncomingSocialMessaging),
        CsvColumn.Language => AccountCsvText.Text(account.Language),
        _ => null,
    };

    private static string? Given(string? cell, string? current) => string.IsNullOrEmpty(cell) ? current : cell;

    private static AccountUpdateRow Refused(CsvRow row, AccountInput values, CsvColumn column, string message) =>
        Refused(row, values, [.. row.Problems, new ImportProblem(row.RowNumber, column.Name(), values[column], message, ProblemSeverity.Error)], null);

    private static AccountUpdateRow Refused(CsvRow row, AccountInput values, IReadOnlyList<ImportProblem> problems, int? accountId) =>
        new(row.RowNumber, values.Username, accountId, UpdateRowOutcome.Refused, [], problems, null, values.FirstName, values.LastName);

    private static BatchRow Done(AccountUpdateRow row, RowOutcome outcome, string reason, DateTime now) => new()
    {
        RowNumber = row.RowNumber,
        TargetAccountId = row.AccountId,
        AccountId = row.AccountId,
        FirstName = Clip(row.FirstName, BatchRow.MaxNameLength),
        LastName = Clip(row.LastName, BatchRow.MaxNameLength),
        Username = Clip(row.Username, BatchRow.MaxUsernameLength),
        Outcome = outcome,
        Reason = Clip(reason, BatchRow.MaxReasonLength),
        ProcessedAtUtc = now,
    };

    private static string? Clip(string? value, int length) => value is { Length: var n } && n > length ? value[..(length - 1)] + "…" : value;

    private static Account Copy(Account a) => new()
    {
        Id = a.Id, Username = a.Username, NormalizedUsername = a.NormalizedUsername, FirstName = a.FirstName, LastName = a.LastName,
        OrganizationId = a.OrganizationId, PermissionGroupId = a.PermissionGroupId, SocialMessaging = a.SocialMessaging,
        RestrictIncomingSocialMessaging = a.RestrictIncomingSocialMessaging, MonitorCalls = a.MonitorCalls, MonitorSms = a.MonitorSms,
        ForwardingNumber = a.ForwardingNumber, Language = a.Language, Status = a.Status,
    };
}

/// <summary>
/// Runs an update batch: each row's change is applied by <see cref="AccountSettings.Apply"/> under the account's
/// organization's rules as they are when the row runs, and the account's change and the row's outcome commit together in
/// the group's transaction.
/// </summary>
public sealed class UpdateRowHandler : IBatchRowHandler
{
    public bool Handles(BatchKind kind) => kind == BatchKind.Update;

    public async Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var accounts = await BatchRowTargets.LoadAsync(db, rows, cancellationToken);
        var organizationIds = accounts.Values.Select(a => a.OrganizationId).Distinct().ToArray();
        var organizations = await db.Organizations.AsNoTracking().Where(o => organizationIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, cancellationToken);
        var ancestors = organizations.Values.SelectMany(o => o.AncestorIdsAndSelf()).Distinct().ToArray();
        var groups = await db.PermissionGroups.AsNoTracking().Where(g => ancestors.Contains(g.OrganizationId)).ToListAsync(cancellationToken);

        foreach (var row in rows)
        {
            if (!accounts.TryTake(row, out var account))
                continue;
            var organization = organizations[account.OrganizationId];
            var outcome = AccountSettings.Apply(account, row.ToSettingsChange(), organization, AccountSettings.UsableBy(organization, groups));
            (row.Outcome, row.Reason) = outcome switch
            {
                { Refusal: { } refusal } => (RowOutcome.Failed, $"{refusal} (The account or its organization changed after the file was checked.)"),
                { Unchanged: true } => (RowOutcome.Skipped, AccountUpdate.NothingToChange),
                _ => (RowOutcome.Succeeded, $"Changed: {outcome.Summary}."),
            };
            // Like every other change to an account, recorded with the row: the batch's admin, on the batch's behalf.
            if (row.Outcome == RowOutcome.Succeeded)
                ActivityLog.Record(db, BulkAccountAction.ActorOf(batch), nowUtc, ActivityActions.AccountEdit, account.OrganizationId,
                    ActivityTargetKind.Account, AccountLifecycle.Key(account.Id), account.Username, outcome.Summary);
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
