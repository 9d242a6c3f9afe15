using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Invitations;
using MultiLine.Core.Persistence;
using MultiLine.Core.Reports;

namespace MultiLine.Core.Batches;

/// <summary>
/// Runs one batch to its end. Claims it in the database first (so one worker of many runs it), then works through
/// its pending rows in small transactions: a row's effect and its outcome commit together, so a crash or restart
/// resumes at the first pending row and never does a row twice.
/// </summary>
public sealed class BatchProcessor(
    SystemDbContextFactory factory,
    IEnumerable<IBatchRowHandler> handlers,
    BatchProgressNotifier notifier,
    NotificationComposer notifications,
    IPortalLinks links,
    IOptions<BatchOptions> options,
    TimeProvider clock,
    ILogger<BatchProcessor> logger)
{
    public const string CancelledReason = "Cancelled before this row was processed.";

    /// <summary>Rows in a batch's first group; each next group doubles up to <see cref="BatchOptions.RowsPerTransaction"/>.</summary>
    public const int FirstGroupSize = 10;
    private readonly BatchOptions _options = options.Value;

    /// <summary>Processes the batch if this worker can claim it. Returns false when another worker holds it or it is finished.</summary>
    public async Task<bool> RunAsync(int batchId, CancellationToken stoppingToken)
    {
        if (!await ClaimAsync(batchId, stoppingToken))
            return false;

        try
        {
            await ProcessClaimedAsync(batchId, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping: the batch stays Running with its claim and resumes at the next start.
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Batch {BatchId} failed.", batchId);
            await FailAsync(batchId, $"The batch stopped because of an unexpected error: {exception.Message}");
        }
        return true;
    }

    private async Task<bool> ClaimAsync(int batchId, CancellationToken cancellationToken)
    {
        var now = Now;
        var until = now.AddSeconds(_options.ClaimSeconds);
        var me = _options.WorkerId;
        await using var db = await factory.CreateAsync(cancellationToken);
        var claimed = await db.Batches
            .Where(b => b.Id == batchId && (b.State == BatchState.Queued
                || (b.State == BatchState.Running && (b.ClaimedBy == me || b.ClaimExpiresAtUtc < now))))
            .ExecuteUpdateAsync(s => s
                .SetProperty(b => b.State, BatchState.Running)
                .SetProperty(b => b.ClaimedBy, me)
                .SetProperty(b => b.ClaimExpiresAtUtc, until)
                .SetProperty(b => b.StartedAtUtc, b => b.StartedAtUtc ?? now), cancellationToken);
        return claimed == 1;
    }

    private async Task ProcessClaimedAsync(int batchId, CancellationToken stoppingToken)
    {
        BatchOperation batch;
        await using (var db = await factory.CreateAsync(stoppingToken))
            batch = await db.Batches.AsNoTracking().SingleAsync(b => b.Id == batchId, stoppingToken);
        Publish(batch);
        var handler = handlers.FirstOrDefault(h => h.Handles(batch.Kind))
            ?? throw new InvalidOperationException($"No handler for {batch.Kind} batches.");

        // The first groups are small, so the first rows show within a moment of the commit; then full groups for throughput.
        var groupSize = Math.Min(FirstGroupSize, _options.RowsPerTransaction);
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            await using var db = await factory.CreateAsync(stoppingToken);
            // The group's transaction is the unit of work; per-save savepoints would only add round trips.
            db.Database.AutoSavepointsEnabled = false;
            await using var transaction = await db.Database.BeginTransactionAsync(stoppingToken);
            if (!await RenewClaimAsync(db, batchId, stoppingToken))
            {
                // Another worker took the batch over (this one stalled past its claim): it must not touch a row more.
                await transaction.RollbackAsync(stoppingToken);
                logger.LogWarning("Batch {BatchId}: worker {WorkerId} lost its claim and stops.", batchId, _options.WorkerId);
                return;
            }
            var tracked = await db.Batches.SingleAsync(b => b.Id == batchId, stoppingToken);
            if (tracked.CancelRequested)
            {
                await transaction.RollbackAsync(stoppingToken);
                await FinishCancelledAsync(batchId, stoppingToken);
                return;
            }

            // Untracked: the handler sets each row's outcome and the group writes them set-based below.
            var rows = await db.BatchRows.AsNoTracking()
                .Where(r => r.BatchOperationId == batchId && r.Outcome == RowOutcome.Pending)
                .OrderBy(r => r.RowNumber)
                .Take(groupSize)
                .ToListAsync(stoppingToken);
            groupSize = Math.Min(groupSize * 2, _options.RowsPerTransaction);
            if (rows.Count == 0)
            {
                tracked.State = BatchStates.Final(tracked.Failed, tracked.Warnings, cancelled: false);
                tracked.FinishedAtUtc = Now;
                tracked.ClaimedBy = null;
                tracked.ClaimExpiresAtUtc = null;
                await NotifyDesignatedAdminsAsync(db, tracked, stoppingToken);
                await db.SaveChangesAsync(stoppingToken);
                await transaction.CommitAsync(stoppingToken);
                Publish(tracked);
                return;
            }

            var now = Now;
            await handler.ProcessAsync(db, tracked, rows, now, stoppingToken);
            var events = new List<RowProcessed>(rows.Count);
            foreach (var row in rows)
            {
                row.ProcessedAtUtc = now;
                switch (row.Outcome)
                {
                    case RowOutcome.Succeeded:
                        tracked.Succeeded++;
                        if (row.Invitation == InvitationState.Failed)
                            tracked.Warnings++;
                        break;
                    case RowOutcome.Failed: tracked.Failed++; break;
                    case RowOutcome.Skipped: tracked.Skipped++; break;
                    default: throw new InvalidOperationException($"Row {row.RowNumber} was left without an outcome.");
                }
                events.Add(new RowProcessed(batchId, row.RowNumber, row.Outcome, row.Reason, row.Username, row.Number, BatchCounts.Of(tracked)));
            }
            await BulkRows.UpdateAsync(db, rows, stoppingToken,
                r => r.Outcome, r => r.Reason, r => r.AccountId, r => r.Number, r => r.Invitation, r => r.InvitationId, r => r.ProcessedAtUtc);
            await db.SaveChangesAsync(stoppingToken);
            await transaction.CommitAsync(stoppingToken);
            foreach (var rowEvent in events)
                notifier.Publish(rowEvent);
        }
    }

    /// <summary>
    /// The fence: the group's first statement renews the claim only while this worker still holds it, so a worker that
    /// lost its claim (it stalled, another took the batch over) changes nothing. Being a write, it also takes the batch
    /// row's lock (or SQLite's write lock) before any row is read.
    /// </summary>
    private async Task<bool> RenewClaimAsync(MultiLineDbContext db, int batchId, CancellationToken cancellationToken)
    {
        var me = _options.WorkerId;
        var until = Now.AddSeconds(_options.ClaimSeconds);
        var renewed = await db.Batches
            .Where(b => b.Id == batchId && b.State == BatchState.Running && b.ClaimedBy == me)
            .ExecuteUpdateAsync(s => s.SetProperty(b => b.ClaimExpiresAtUtc, until), cancellationToken);
        return renewed == 1;
    }

    private async Task FinishCancelledAsync(int batchId, CancellationToken cancellationToken)
    {
        await EndWithSkippedRowsAsync(batchId, BatchState.Cancelled, CancelledReason, null, cancellationToken);
    }

    private async Task FailAsync(int batchId, string reason)
    {
        try
        {
            await EndWithSkippedRowsAsync(batchId, BatchState.Failed, "Not processed: the batch failed.", reason, CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Could not mark batch {BatchId} as failed.", batchId);
        }
    }

    /// <summary>Ends the batch: every row still pending is skipped with <paramref name="rowReason"/>.</summary>
    private async Task EndWithSkippedRowsAsync(int batchId, BatchState state, string rowReason, string? failureReason, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var db = await factory.CreateAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var pending = db.BatchRows.Where(r => r.BatchOperationId == batchId && r.Outcome == RowOutcome.Pending);
        var skippedRows = await pending.OrderBy(r => r.RowNumber).Select(r => new { r.RowNumber, r.Username }).ToListAsync(cancellationToken);
        await pending.ExecuteUpdateAsync(s => s
            .SetProperty(r => r.Outcome, RowOutcome.Skipped)
            .SetProperty(r => r.Reason, rowReason)
            .SetProperty(r => r.ProcessedAtUtc, now), cancellationToken);
        var batch = await db.Batches.SingleAsync(b => b.Id == batchId, cancellationToken);
        batch.Skipped += skippedRows.Count;
        batch.State = state;
        batch.FailureReason = failureReason;
        batch.FinishedAtUtc = now;
        batch.StartedAtUtc ??= now;
        batch.ClaimedBy = null;
        batch.ClaimExpiresAtUtc = null;
        await NotifyDesignatedAdminsAsync(db, batch, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var running = BatchCounts.Of(batch) with { Skipped = batch.Skipped - skippedRows.Count };
        foreach (var row in skippedRows)
        {
            running = running with { Skipped = running.Skipped + 1 };
            notifier.Publish(new RowProcessed(batchId, row.RowNumber, RowOutcome.Skipped, rowReason, row.Username, null, running));
        }
        Publish(batch);
    }

    /// <summary>
    /// Queues the summary email and the <c>batch.completed</c> webhook deliveries in the same transaction that ends the batch, with the report attached when it has at most
    /// <see cref="BatchOptions.AttachReportUpToRows"/> rows (a larger one is linked, not attached; docs/adr-batches.md).
    /// The report is written only when the organization has someone to send it to.
    /// </summary>
    private async Task NotifyDesignatedAdminsAsync(MultiLineDbContext db, BatchOperation batch, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.Where(o => o.Id == batch.OrganizationId).Select(o => o.Name).SingleAsync(cancellationToken);
        var summary = new BatchNotificationSummary(
            BatchStates.Label(batch.Kind), organization, BatchStates.Label(batch.State), batch.Succeeded, batch.Failed, batch.Skipped,
            batch.AdminName, batch.FinishedAtUtc!.Value, batch.FinishedAtUtc - batch.StartedAtUtc, links.Batch(batch.Id));
        var rows = batch.Succeeded + batch.Failed + batch.Skipped;
        var report = rows > _options.AttachReportUpToRows
            ? new SummaryReport(null, ReportTooLargeToAttach(rows))
            : new SummaryReport(async ct =>
            {
                using var csv = new MemoryStream();
                await ReportCsvWriter.WriteAsync(db, batch.Id, csv, ct);
                return new NotificationAttachment(ReportCsvWriter.FileName(batch, organization), "text/csv", csv.ToArray());
            });
        await notifications.QueueBatchSummaryAsync(db, batch.OrganizationId, summary, report, cancellationToken);
        await Webhooks.WebhookEvents.BatchCompletedAsync(db, batch, links.Batch(batch.Id), batch.FinishedAtUtc!.Value, cancellationToken);
    }

    /// <summary>What the summary email says instead of attaching a report of <paramref name="rows"/> rows.</summary>
    public static string ReportTooLargeToAttach(int rows) =>
        $"The report has {rows:N0} rows, too many to attach to an email: download it from the batch page (Details above).";

    private void Publish(BatchOperation batch) =>
        notifier.Publish(new BatchStateChanged(batch.Id, batch.State, BatchCounts.Of(batch), batch.FailureReason, batch.StartedAtUtc, batch.FinishedAtUtc));

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
