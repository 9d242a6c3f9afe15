using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Persistence;
using MultiLine.Core.Reports;

namespace MultiLine.Web.Reports;

public static class ReportEndpoints
{
    /// <summary>The Batch Operations Report CSV, finished or partial, for admins who may see the batch.</summary>
    public static IEndpointRouteBuilder MapReportDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/batches/{id:int}/report.csv", async (int id, ScopedDbContextFactory data, HttpContext context) =>
            await ReportFileAsync(data, id, context.RequestAborted) ?? Results.NotFound())
            .RequireAuthorization(BatchHub.WatchPolicy);
        return endpoints;
    }

    /// <summary>
    /// The report as a streamed, named CSV file; null when the batch does not exist in the admin's scope.
    /// Shared by the page download and the API.
    /// </summary>
    public static async Task<IResult?> ReportFileAsync(ScopedDbContextFactory data, int batchId, CancellationToken cancellationToken)
    {
        string fileName;
        await using (var db = await data.CreateAsync(cancellationToken))
        {
            var batch = await db.Batches.AsNoTracking().Include(b => b.Organization).FirstOrDefaultAsync(b => b.Id == batchId, cancellationToken);
            if (batch is null)
                return null;
            fileName = ReportCsvWriter.FileName(batch, batch.Organization!.Name);
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
