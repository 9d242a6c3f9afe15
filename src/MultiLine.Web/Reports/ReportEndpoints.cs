using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;
using MultiLine.Web.Activity;
using MultiLine.Core.Reports;

namespace MultiLine.Web.Reports;

public static class ReportEndpoints
{
    /// <summary>The Batch Operations Report CSV, finished or partial, for admins who may see the batch.</summary>
    public static IEndpointRouteBuilder MapReportDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/batches/{id:int}/report.csv", async (int id, ScopedDbContextFactory data, ICurrentAdmin admin, TimeProvider clock, HttpContext context) =>
            await ReportFileAsync(data, id, await admin.GetActorAsync(), clock, context.RequestAborted) ?? Results.NotFound())
            .RequireAuthorization(BatchHub.WatchPolicy)
            .Audited(ActivityActions.BatchReportDownload);
        return endpoints;
    }

    /// <summary>
    /// The report as a streamed, named CSV file; null when the batch does not exist in the admin's scope.
    /// Shared by the page download and the API.
    /// </summary>
    public static async Task<IResult?> ReportFileAsync(ScopedDbContextFactory data, int batchId, ActivityActor actor, TimeProvider clock, CancellationToken cancellationToken)
    {
        string fileName;
        await using (var db = await data.CreateAsync(cancellationToken))
        {
            var batch = await db.Batches.AsNoTracking().Include(b => b.Organization).FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
            if (batch is null)
                return null;
            fileName = ReportCsvWriter.FileName(batch, batch.Organization!.Name);
            // Recorded once, before the first byte: who downloaded which batch's report (partial while it runs).
            ActivityLog.Record(db, actor, clock.GetUtcNow().UtcDateTime, ActivityActions.BatchReportDownload, batch.OrganizationId, ActivityTargetKind.Batch,
                batch.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), batch.FileName ?? $"{BatchStates.Label(batch.Kind)} #{batch.Id}",
                $"{fileName}{(BatchStates.IsFinished(batch.State) ? "" : " (partial: the batch is still running)")}");
            await db.SaveChangesAsync(cancellationToken);
        }
        // The body is written after the endpoint returns, so it gets a context of its own.
        return Results.Stream(
            async output =>
            {
                await using var db = await data.CreateAsync(cancellationToken);
                await ReportCsvWriter.WriteAsync(db, batchId, output, cancellationToken);
            },
            "text/csv; charset=utf-8",
            fileName);
    }
}
