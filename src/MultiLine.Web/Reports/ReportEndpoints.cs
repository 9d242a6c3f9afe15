using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
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
            BatchOperation? batch;
            await using (var db = await data.CreateAsync(context.RequestAborted))
                batch = await db.Batches.AsNoTracking().Include(b => b.Organization).FirstOrDefaultAsync(b => b.Id == id, context.RequestAborted);
            if (batch is null)
                return Results.NotFound();
            // The body is written after this handler returns, so it gets a context of its own.
            return Results.Stream(
                async output =>
                {
                    await using var db = await data.CreateAsync(context.RequestAborted);
                    await ReportCsvWriter.WriteAsync(db, id, output, context.RequestAborted);
                },
                "text/csv; charset=utf-8",
                ReportCsvWriter.FileName(batch, batch.Organization!.Name));
        }).RequireAuthorization(BatchHub.WatchPolicy);
        return endpoints;
    }
}
