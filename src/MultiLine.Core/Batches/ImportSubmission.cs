using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Common;
using MultiLine.Core.Imports;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>What the admin commits after the preview: the checked file and how to import it.</summary>
public sealed record ImportRequest(
    ImportValidationResult Validation, ImportTarget Target, string FileName, bool Invite, bool OnlyValidRows, Activity.ActivityActor Actor,
    BrowserEdits? Edits = null);

/// <summary>Why a commit was refused, so the API can pick its status code.</summary>
public enum SubmitRefusal { UnreadableFile, InvalidRows, NothingToImport, NotEnoughNumbers, ChangedSincePreview, NotAllowed, NotFound, Conflict }

/// <summary>The stored batch, or why nothing was stored.</summary>
public sealed record SubmitResult(int? BatchId, SubmitRefusal? Refusal, string? Error)
{
    public bool Succeeded => BatchId is not null;
    public static SubmitResult Refused(SubmitRefusal refusal, string error) => new(null, refusal, error);
}

/// <summary>When the same file (by SHA-256) was imported before, and by whom.</summary>
public sealed record PreviousImport(int BatchId, DateTime CreatedAtUtc, string AdminName, string Organization);

/// <summary>
/// Turns a checked upload into a queued batch: the batch and all its rows are stored in one transaction and the request
/// returns at once; the hosted service does the rest. Invalid rows are stored too, as Failed with their problems, so
/// the report lists every input row. The rows go through the engine's bulk path (<see cref="IDatabaseEngine.InsertBatchRowsAsync"/>),
/// made one by one from the checked file as they are written, not through the change tracker.
/// </summary>
public sealed class ImportSubmission(SystemDbContextFactory factory, IDatabaseEngine engine, BatchQueue queue, TimeProvider clock)
{
    public async Task<SubmitResult> SubmitAsync(ImportRequest request, CancellationToken cancellationToken = default)
    {
        var validation = request.Validation;
        if (validation.HasFileErrors)
            return SubmitResult.Refused(SubmitRefusal.UnreadableFile, string.Join(" ", validation.FileErrors.Select(p => p.Text)));
        if (validation.Counts.Invalid > 0 && !request.OnlyValidRows)
            return SubmitResult.Refused(SubmitRefusal.InvalidRows,
                $"{Words.Count(validation.Counts.Invalid, "row")} of the file {Words.Has(validation.Counts.Invalid)} problems. Fix them and upload the file again, or choose to import only the {Words.Count(validation.Counts.Valid, "row")} without problems.");
        if (validation.Counts.Valid == 0)
            return SubmitResult.Refused(SubmitRefusal.NothingToImport, "No row of the file can be imported.");
        if (request.Invite && !validation.CanImportAndInvite)
            return SubmitResult.Refused(SubmitRefusal.NotEnoughNumbers, validation.Capacity!.Message);

        var now = clock.GetUtcNow().UtcDateTime;
        var batch = new BatchOperation
        {
            Kind = request.Invite ? BatchKind.ImportAndInvite : BatchKind.Import,
            State = BatchState.Queued,
            AdminId = request.Target.Scope.AdminId,
            AdminName = request.Actor.BatchAdminName,
            OrganizationId = request.Target.OrganizationId,
            PermissionGroupId = request.Target.PermissionGroupId,
            FileName = Path.GetFileName(request.FileName),
            FileSha256 = validation.Sha256,
            BrowserEditedRows = request.Edits?.EditedRows ?? 0,
            BrowserRemovedRows = request.Edits?.RemovedRows ?? 0,
            TotalRows = validation.Rows.Count,
            Failed = validation.Counts.Invalid,
            CreatedAtUtc = now,
        };

        await using var db = await factory.CreateAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Batches.Add(batch);
        await db.SaveChangesAsync(cancellationToken);
        await engine.InsertBatchRowsAsync(db, batch.Id, validation.Rows.Select(row => ToBatchRow(row, now)), cancellationToken);
        var organization = await db.Organizations.Where(o => o.Id == batch.OrganizationId).Select(o => o.Name).FirstAsync(cancellationToken);
        Activity.ActivityLog.RecordBatch(db, request.Actor, now, Activity.ActivityActions.ImportSubmit, batch,
            $"{batch.FileName}: {Words.Count(batch.TotalRows, "row")} into {organization}{(request.Invite ? ", with invitations" : "")}" +
            (batch.Failed > 0 ? $"; {Words.Count(batch.Failed, "row")} with problems not imported" : "") +
            (request.Edits is { Any: true } edits ? $"; {edits.Describe()}" : ""));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        queue.Enqueue(batch.Id);
        return new SubmitResult(batch.Id, null, null);
    }

    /// <summary>The latest earlier batch of the same file, for the "already imported" warning.</summary>
    public static Task<PreviousImport?> FindPreviousImportAsync(MultiLineDbContext db, string sha256, CancellationToken cancellationToken = default) =>
        db.Batches.AsNoTracking()
            .Where(b => b.FileSha256 == sha256 && (b.Kind == BatchKind.Import || b.Kind == BatchKind.ImportAndInvite))
            .OrderByDescending(b => b.Id)
            .Select(b => new PreviousImport(b.Id, b.CreatedAtUtc, b.AdminName, b.Organization!.Name))
            .FirstOrDefaultAsync(cancellationToken);

    private static BatchRow ToBatchRow(ImportRow row, DateTime now)
    {
        if (row.Draft is { } draft)
            return BatchRow.FromDraft(row.RowNumber, draft);
        // An invalid row keeps what the admin typed for the report, cut to the columns' sizes (a 300-character name is
        // one of the problems the reason names).
        var values = row.Values;
        return new BatchRow
        {
            RowNumber = row.RowNumber,
            FirstName = Clip(values.FirstName, BatchRow.MaxNameLength),
            LastName = Clip(values.LastName, BatchRow.MaxNameLength),
            Username = Clip(values.Username, BatchRow.MaxUsernameLength),
            MultiLineNumber = Clip(values.MultiLineNumber, BatchRow.MaxNumberLength),
            Outcome = RowOutcome.Failed,
            Reason = Clip(string.Join(" ", row.Problems.Where(p => p.IsError).Select(p => $"{p.Column}: {p.Message}")), BatchRow.MaxReasonLength),
            ProcessedAtUtc = now,
        };
    }

    private static string? Clip(string? value, int length) => value is { Length: var n } && n > length ? value[..(length - 1)] + "…" : value;
}
