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
        {
            await using var db = await data.CreateAsync(context.RequestAborted);
            var batch = await db.Batches.AsNoTracking().Include(b => b.Organization).FirstOrDefaultAsync(b => b.Id == id, context.RequestAborted);
            if (batch is null)
                return Results.NotFound();
            return Results.Stream(
                output => ReportCsvWriter.WriteAsync(db, id, output, context.RequestAborted),
                "text/csv; charset=utf-8",
                ReportCsvWriter.FileName(batch, batch.Organization!.Name));
        }).RequireAuthorization(BatchHub.WatchPolicy);
        return endpoints;
    }
}
