using MultiLine.Core.Activity;
using MultiLine.Web.Activity;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;
using MultiLine.Core.Reports;
using MultiLine.Web.Admins;
using MultiLine.Web.Reports;

namespace MultiLine.Web.Api;

/// <summary>Batch operations in scope: state and counts, rows, the report CSV, cancelling, and undoing an import.</summary>
internal static class BatchEndpoints
{
    public static RouteGroupBuilder MapBatchEndpoints(this RouteGroupBuilder api)
    {
        var batches = api.MapGroup("/batches").WithTags("Batches").RequireAuthorization(BatchHub.WatchPolicy);

        batches.MapGet("/", async (int? organizationId, string? state, string? kind, int? page, int? pageSize, ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            if (!ApiRequest.TryEnum<BatchState>(state, "state", out var batchState, out var error)
                || !ApiRequest.TryEnum<BatchKind>(kind, "kind", out var batchKind, out error))
                return error!;
            await using var db = await data.CreateAsync(cancellationToken);
            if (organizationId is { } id && !await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
                return ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
            var paging = ApiRequest.Paging(page, pageSize);
            var found = await BatchQueries.ListAsync(db, new BatchFilter(organizationId, batchState, batchKind), paging, cancellationToken);
            return TypedResults.Ok(new ApiPage<ApiBatch>(found.Items.Select(ApiBatch.From).ToList(), paging.PageIndex + 1, paging.Take, found.TotalCount));
        })
        .WithName("ListBatches")
        .WithSummary("Batch operations in your scope, newest first. state: Queued, Running, Completed, CompletedWithWarnings, CompletedWithErrors, Failed, Cancelled.")
        .Produces<ApiPage<ApiBatch>>()
        .ProducesProblem(400)
        .ProducesProblem(404);

        batches.MapGet("/{id:int}", async (int id, ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return await BatchQueries.FindAsync(db, id, cancellationToken) is { } batch
                ? TypedResults.Ok(ApiBatch.From(batch))
                : ApiProblems.NotFound(ApiProblems.BatchNotFound);
        })
        .WithName("GetBatch")
        .WithSummary("One batch: state, counts and times. Poll it until isFinished is true.")
        .Produces<ApiBatch>()
        .ProducesProblem(404)
        .WithMetadata(ApiExample.Response(200, ApiExamples.FinishedImport));

        batches.MapGet("/{id:int}/rows", async (int id, string? outcome, int? page, int? pageSize, ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            if (!ApiRequest.TryEnum<RowOutcome>(outcome, "outcome", out var rowOutcome, out var error))
                return error!;
            await using var db = await data.CreateAsync(cancellationToken);
            if (!await db.Batches.AnyAsync(b => b.Id == id, cancellationToken))
                return ApiProblems.NotFound(ApiProblems.BatchNotFound);
            var paging = ApiRequest.Paging(page, pageSize);
            var rows = await BatchQueries.RowsAsync(db, id, new BatchRowFilter(rowOutcome), paging, cancellationToken);
            return TypedResults.Ok(ApiPage<BatchRowView>.From(rows, paging));
        })
        .WithName("ListBatchRows")
        .WithSummary("The batch's rows in input order, with outcome (Pending, Succeeded, Failed, Skipped), reason, number and invitation state.")
        .Produces<ApiPage<BatchRowView>>()
        .ProducesProblem(400)
        .ProducesProblem(404);

        batches.MapGet("/{id:int}/report.csv", async (int id, ScopedDbContextFactory data, TimeProvider clock, HttpContext http) =>
            await ReportEndpoints.ReportFileAsync(data, id, await ApiRequest.ActorAsync(http), clock, http.RequestAborted) ?? ApiProblems.NotFound(ApiProblems.BatchNotFound))
        .Audited(ActivityActions.BatchReportDownload)
        .WithName("GetBatchReport")
        .WithSummary("The Batch Operations Report CSV (UTF-8 with BOM): one line per input row with outcome and reason.")
        .Produces(200, contentType: "text/csv")
        .ProducesProblem(404);

        batches.MapPost("/{id:int}/cancel", async (int id, ScopedDbContextFactory data, BatchQueue queue, HttpContext http) =>
        {
            var cancellationToken = http.RequestAborted;
            await using var db = await data.CreateAsync(cancellationToken);
            if (!await db.Batches.AnyAsync(b => b.Id == id, cancellationToken))
                return ApiProblems.NotFound(ApiProblems.BatchNotFound);
            var result = await BatchCommands.RequestCancelAsync(db, id, await ApiRequest.ActorAsync(http), queue, http.RequestServices.GetRequiredService<TimeProvider>(), cancellationToken);
            return result.Succeeded
                ? await AcceptedAsync(db, id, cancellationToken)
                : ApiProblems.Create(StatusCodes.Status409Conflict, result.Error!);
        })
        .Audited(ActivityActions.BatchCancel)
        .WithName("CancelBatch")
        .WithSummary("Asks the batch to stop: rows already done stay done, the rest are skipped. 409 when it has already finished.")
        .Produces<ApiBatch>(202)
        .ProducesProblem(404)
        .ProducesProblem(409)
        .RequireAuthorization(Policies.AccountsBulkOperations);

        batches.MapPost("/{id:int}/undo", async (int id, ScopedDbContextFactory data, ImportUndo undo, HttpContext http) =>
        {
            var cancellationToken = http.RequestAborted;
            await using var db = await data.CreateAsync(cancellationToken);
            var result = await undo.SubmitAsync(db, id, await ApiRequest.ActorAsync(http), cancellationToken);
            return result.Succeeded
                ? await AcceptedAsync(db, result.BatchId!.Value, cancellationToken)
                : ApiProblems.Create(result.Refusal switch
                {
                    SubmitRefusal.NotFound => StatusCodes.Status404NotFound,
                    SubmitRefusal.NotAllowed => StatusCodes.Status403Forbidden,
                    _ => StatusCodes.Status409Conflict,
                }, result.Error!);
        })
        .Audited(ActivityActions.BatchUndo)
        .WithName("UndoImport")
        .WithSummary("Undoes a finished import: a new batch deletes the accounts it created, releases their numbers to Available and revokes their invitations. "
            + "409 while it runs, when an account has activated since, or when it was already undone (an import is undone once).")
        .Produces<ApiBatch>(202)
        .ProducesProblem(403)
        .ProducesProblem(404)
        .ProducesProblem(409)
        .RequireAuthorization(Policies.AccountsBulkOperations);

        return api;
    }

    /// <summary>202 Accepted with the batch and a Location to poll.</summary>
    public static async Task<IResult> AcceptedAsync(MultiLineDbContext db, int batchId, CancellationToken cancellationToken)
    {
        var batch = await BatchQueries.FindAsync(db, batchId, cancellationToken);
        return TypedResults.Accepted($"/api/v1/batches/{batchId}", ApiBatch.From(batch!));
    }
}
