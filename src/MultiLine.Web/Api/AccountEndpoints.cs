using MultiLine.Core.Activity;
using MultiLine.Web.Activity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>Accounts in scope, and the bulk actions on existing accounts: move and resend invitations.</summary>
internal static class AccountEndpoints
{
    public static RouteGroupBuilder MapAccountEndpoints(this RouteGroupBuilder api)
    {
        var accounts = api.MapGroup("/accounts").WithTags("Accounts");

        accounts.MapGet("/", async (int? organizationId, bool? includeSubOrganizations, string? status, string? search, int? page, int? pageSize, ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            if (!ApiRequest.TryEnum<AccountStatus>(status, "status", out var accountStatus, out var error))
                return error!;
            await using var db = await data.CreateAsync(cancellationToken);
            if (organizationId is { } id && !await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
                return ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
            var paging = ApiRequest.Paging(page, pageSize);
            var found = await AccountDirectory.SearchAsync(db, new AccountSearch(search, accountStatus, organizationId, includeSubOrganizations ?? false), paging, cancellationToken);
            return TypedResults.Ok(ApiPage<AccountRow>.From(found, paging));
        })
        .WithName("ListAccounts")
        .WithSummary("Accounts in your scope, newest first. status: NotInvited, Invited, InvitationFailed, Active, Suspended; search: name, username or number; includeSubOrganizations: with organizationId, its sub-organizations too (within your scope).")
        .Produces<ApiPage<AccountRow>>()
        .ProducesProblem(400)
        .ProducesProblem(404)
        .RequireAuthorization(Policies.Accounts);

        accounts.MapPost("/move", async (MoveAccountsRequest request, ScopedDbContextFactory data, AccountBatchSubmission submission, IOptions<ApiOptions> options, HttpContext http) =>
        {
            var cancellationToken = http.RequestAborted;
            await using var db = await data.CreateAsync(cancellationToken);
            if (await CheckAccountIdsAsync(db, request.AccountIds, options.Value, cancellationToken) is { } refused)
                return refused;
            var plan = await AccountMoves.PlanAsync(db, request.AccountIds!, request.DestinationOrganizationId, cancellationToken);
            if (plan is null)
                return ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
            var result = await submission.SubmitMoveAsync(db, plan, await ApiRequest.ActorAsync(http), cancellationToken);
            if (!result.Succeeded)
                return ApiProblems.Create(plan.BlockingReason == MovePlan.NotEnoughNumbers ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity, result.Error!);
            return await BatchEndpoints.AcceptedAsync(db, result.BatchId!.Value, cancellationToken);
        })
        .Audited(ActivityActions.MoveSubmit)
        .WithName("MoveAccounts")
        .WithSummary("Moves pending accounts to another organization as a batch. Each moved account gives up its number and gets the destination's default User Permissions group.")
        .Produces<ApiBatch>(202)
        .ProducesProblem(400)
        .ProducesProblem(404)
        .ProducesProblem(409)
        .ProducesProblem(422)
        .WithMetadata(ApiExample.Request(ApiExamples.MoveRequest), ApiExample.Response(202, ApiExamples.QueuedMove), ApiExample.Problem(409, ApiExamples.MoveConflict))
        .RequireAuthorization(Policies.Accounts, Policies.AccountsBulkOperations);

        accounts.MapPost("/resend-invitations", async (ResendInvitationsRequest request, ScopedDbContextFactory data, AccountBatchSubmission submission, IOptions<ApiOptions> options, HttpContext http) =>
        {
            var cancellationToken = http.RequestAborted;
            await using var db = await data.CreateAsync(cancellationToken);
            if (await CheckAccountIdsAsync(db, request.AccountIds, options.Value, cancellationToken) is { } refused)
                return refused;
            var result = await submission.SubmitResendAsync(db, request.AccountIds!, await ApiRequest.ActorAsync(http), cancellationToken);
            if (!result.Succeeded)
                return ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, result.Error!);
            return await BatchEndpoints.AcceptedAsync(db, result.BatchId!.Value, cancellationToken);
        })
        .Audited(ActivityActions.ResendSubmit)
        .WithName("ResendInvitations")
        .WithSummary("Sends the invitation again to each account, as a batch. Active accounts are skipped; a row that cannot keep a number fails with the reason.")
        .Produces<ApiBatch>(202)
        .ProducesProblem(400)
        .ProducesProblem(404)
        .ProducesProblem(422)
        .WithMetadata(ApiExample.Request(ApiExamples.ResendRequest))
        .RequireAuthorization(Policies.Accounts, Policies.AccountsBulkOperations);

        return api;
    }

    /// <summary>Every id must name an account in scope: an unknown or foreign id is 404 alike, so nothing leaks.</summary>
    internal static async Task<IResult?> CheckAccountIdsAsync(MultiLineDbContext db, IReadOnlyList<int>? ids, ApiOptions options, CancellationToken cancellationToken)
    {
        if (ids is null || ids.Count == 0)
            return ApiProblems.BadRequest("Select at least one account: accountIds is empty.");
        if (ids.Count > options.MaxAccountIds)
            return ApiProblems.BadRequest($"One request may name at most {options.MaxAccountIds:N0} accounts; this one names {ids.Count:N0}.");
        var distinct = ids.Distinct().ToArray();
        var found = new HashSet<int>();
        foreach (var chunk in distinct.Chunk(500))
            found.UnionWith(await db.Accounts.Where(a => chunk.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken));
        var missing = distinct.Where(id => !found.Contains(id)).Take(20).ToList();
        return missing.Count == 0
            ? null
            : ApiProblems.NotFound($"No account with id {string.Join(", ", missing)} exists in your scope.");
    }
}
