using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Common;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>One line of the Batch Operation Reports table.</summary>
public sealed record BatchSummary(
    int Id, BatchKind Kind, BatchState State, string Organization, int OrganizationId, string AdminName, string? FileName,
    DateTime CreatedAtUtc, DateTime? StartedAtUtc, DateTime? FinishedAtUtc, BatchCounts Counts, string? FailureReason,
    string? Options = null, string? PermissionGroup = null, int? UndoOfBatchId = null, int? UndoneByBatchId = null, BrowserEdits? Edits = null)
{
    /// <summary>The kind in the admin's words; an undo names the import it undoes ("Undo of batch 12").</summary>
    public string KindLabel => UndoOfBatchId is { } undone ? $"Undo of batch {undone}" : BatchStates.Label(Kind);

    /// <summary>What a bulk action was asked to do beyond its kind (Delete's number choice, the settings of a bulk edit).</summary>
    public string? ActionDetails => BulkAccountAction.Describe(Kind, Options, PermissionGroup);
    public string StateLabel => BatchStates.Label(State);
    public bool IsFinished => BatchStates.IsFinished(State);
    public TimeSpan? Duration => StartedAtUtc is { } start ? (FinishedAtUtc ?? DateTime.UtcNow) - start : null;
}

/// <summary>A row as the live views and the API show it.</summary>
public sealed record BatchRowView(int RowNumber, string? Username, string? Name, RowOutcome Outcome, string? Reason, string? Number, InvitationState? Invitation);

/// <summary>
/// A row as the report shows it, following what happened after the batch: the invitation's delivery (its email's state
/// and SMTP reply) and the number the account holds now, including one picked at activation.
/// </summary>
public sealed record BatchRowReport(
    int RowNumber, string? FirstName, string? LastName, string? Username, string? Number, RowOutcome Outcome, string? Reason,
    InvitationState? Invitation, string? DeliveryError)
{
    /// <summary>The row's reason, with the delivery failure appended when the invitation email failed.</summary>
    public string? FullReason => Invitation == InvitationState.Failed && DeliveryError is { } error
        ? string.IsNullOrEmpty(Reason) ? $"The invitation email failed: {error}" : $"{Reason} The invitation email failed: {error}"
        : Reason;
}

/// <summary>What a late watcher needs to catch up: the batch and its latest rows.</summary>
public sealed record BatchSnapshot(BatchSummary Batch, IReadOnlyList<BatchRowView> RecentRows);

/// <summary>Which rows of one batch to list: an outcome, and text found in the username, name, number or reason.</summary>
public sealed record BatchRowFilter(RowOutcome? Outcome = null, string? Text = null);

public sealed record BatchFilter(int? OrganizationId = null, BatchState? State = null, BatchKind? Kind = null);

/// <summary>Reads batches within the context's scope.</summary>
public static class BatchQueries
{
    public const int RecentRowCount = 50;

    public static async Task<Page<BatchSummary>> ListAsync(MultiLineDbContext db, BatchFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        var query = db.Batches.AsNoTracking();
        if (filter.OrganizationId is { } organizationId)
            query = query.Where(b => b.OrganizationId == organizationId);
        if (filter.State is { } state)
            query = query.Where(b => b.State == state);
        if (filter.Kind is { } kind)
            query = query.Where(b => b.Kind == kind);
        var total = await query.CountAsync(cancellationToken);
        var items = await Project(db, query.OrderByDescending(b => b.Id).Skip(page.Skip).Take(page.Take)).ToListAsync(cancellationToken);
        return new Page<BatchSummary>(items, total);
    }

    public static Task<BatchSummary?> FindAsync(MultiLineDbContext db, int batchId, CancellationToken cancellationToken = default) =>
        Project(db, db.Batches.AsNoTracking().Where(b => b.Id == batchId)).SingleOrDefaultAsync(cancellationToken);

    public static async Task<BatchSnapshot?> SnapshotAsync(MultiLineDbContext db, int batchId, CancellationToken cancellationToken = default)
    {
        var batch = await FindAsync(db, batchId, cancellationToken);
        if (batch is null)
            return null;
        var recent = await db.BatchRows.AsNoTracking()
            .Where(r => r.BatchOperationId == batchId && r.Outcome != RowOutcome.Pending)
            .OrderByDescending(r => r.ProcessedAtUtc).ThenByDescending(r => r.RowNumber)
            .Take(RecentRowCount)
            .Select(r => r.RowNumber)
            .ToListAsync(cancellationToken);
        var rows = await WithDelivery(db, db.BatchRows.Where(r => r.BatchOperationId == batchId && recent.Contains(r.RowNumber)))
            .ToListAsync(cancellationToken);
        var byNumber = rows.ToDictionary(r => r.RowNumber);
        return new BatchSnapshot(batch, recent.Select(n => View(byNumber[n])).ToList());
    }

    public static async Task<Page<BatchRowView>> RowsAsync(MultiLineDbContext db, int batchId, BatchRowFilter filter, PageRequest page, CancellationToken cancellationToken = default)
    {
        // Scope check through the batch, since rows carry no organization of their own.
        if (!await db.Batches.AnyAsync(b => b.Id == batchId, cancellationToken))
            return new Page<BatchRowView>([], 0);
        var query = db.BatchRows.AsNoTracking().Where(r => r.BatchOperationId == batchId);
        if (filter.Outcome is { } o)
            query = query.Where(r => r.Outcome == o);
        if (TextSearch.ContainsPattern(filter.Text) is { } pattern)
            query = query.Where(r =>
                EF.Functions.Like((r.Username ?? "").ToLower(), pattern, TextSearch.Escape)
                || EF.Functions.Like(((r.FirstName ?? "") + " " + (r.LastName ?? "")).ToLower(), pattern, TextSearch.Escape)
                || EF.Functions.Like((r.Number ?? r.MultiLineNumber ?? "").ToLower(), pattern, TextSearch.Escape)
                || EF.Functions.Like((r.Reason ?? "").ToLower(), pattern, TextSearch.Escape));
        var total = await query.CountAsync(cancellationToken);
        var items = await WithDelivery(db, query.OrderBy(r => r.RowNumber).Skip(page.Skip).Take(page.Take)).ToListAsync(cancellationToken);
        return new Page<BatchRowView>(items.OrderBy(r => r.RowNumber).Select(View).ToList(), total);
    }

    /// <summary>
    /// The rows with what happened since: the invitation's state read from its outbox email (Queued → Sent, or Failed
    /// with the reply), and the number the account holds now. Rows of accounts deleted since keep what the batch recorded.
    /// </summary>
    /// <remarks>
    /// The joined tables come through <see cref="MultiLineDbContext.Visible{T}"/>: for a context that sees every
    /// organization (the worker writing the report for the summary email) they are plain indexed joins; with the scope
    /// filter's joins in them SQLite scanned every number, 0.2 s for a 1,000-row report on 200,000 accounts.
    /// </remarks>
    public static IQueryable<BatchRowReport> WithDelivery(MultiLineDbContext db, IQueryable<BatchRow> rows) =>
        from r in rows
        join i in db.Visible<Invitation>() on r.InvitationId equals (int?)i.Id into invitations
        from invitation in invitations.DefaultIfEmpty()
        join m in db.Visible<EmailMessage>() on invitation.EmailMessageId equals (int?)m.Id into emails
        from email in emails.DefaultIfEmpty()
        join n in db.Visible<MultiLineNumber>() on r.AccountId equals n.AccountId into numbers
        from held in numbers.DefaultIfEmpty()
        select new BatchRowReport(
            r.RowNumber, r.FirstName, r.LastName, r.Username,
            held != null ? held.E164 : r.Number ?? r.MultiLineNumber,
            r.Outcome, r.Reason,
            email == null ? r.Invitation
                : email.State == EmailState.Sent ? InvitationState.Sent
                : email.State == EmailState.Failed ? InvitationState.Failed
                : email.State == EmailState.Superseded ? InvitationState.Replaced
                : InvitationState.Queued,
            email != null && email.State == EmailState.Failed ? email.LastError : null);

    private static BatchRowView View(BatchRowReport r) =>
        new(r.RowNumber, r.Username, $"{r.FirstName} {r.LastName}".Trim(), r.Outcome, r.FullReason, r.Number, r.Invitation);

    private static IQueryable<BatchSummary> Project(MultiLineDbContext db, IQueryable<BatchOperation> batches) => batches.Select(b => new BatchSummary(
        b.Id, b.Kind, b.State, b.Organization!.Name, b.OrganizationId, b.AdminName, b.FileName,
        b.CreatedAtUtc, b.StartedAtUtc, b.FinishedAtUtc,
        new BatchCounts(b.TotalRows, b.Succeeded, b.Failed, b.Skipped), b.FailureReason,
        b.Options, b.PermissionGroup != null ? b.PermissionGroup.Name : null,
        b.UndoOfBatchId, db.Batches.Where(u => u.UndoOfBatchId == b.Id).Select(u => (int?)u.Id).FirstOrDefault(),
        b.BrowserEditedRows > 0 || b.BrowserRemovedRows > 0 ? new BrowserEdits(b.BrowserEditedRows, b.BrowserRemovedRows) : null));
}
