using MultiLine.Core.Activity;
using MultiLine.Web.Activity;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>One account: read it with its history, edit, suspend, unsuspend and delete it (the account panel's actions).</summary>
internal static class AccountLifeEndpoints
{
    public static RouteGroupBuilder MapAccountLifeEndpoints(this RouteGroupBuilder api)
    {
        var accounts = api.MapGroup("/accounts").WithTags("Accounts");

        accounts.MapGet("/{id:int}", async (int id, ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return await AccountPanelQueries.LoadAsync(db, id, cancellationToken) is { } account
                ? TypedResults.Ok(account)
                : ApiProblems.NotFound(AccountLifecycle.NotFoundMessage);
        })
        .WithName("GetAccount")
        .WithSummary("One account in your scope: every field, its number, invitations (with the SMTP reply when delivery failed), the batches that touched it, its activity record and its status history, newest first.")
        .Produces<AccountDetails>()
        .ProducesProblem(404)
        .WithMetadata(ApiExample.Response(200, ApiExamples.Account), ApiExample.Problem(404, ApiExamples.AccountNotFound))
        .RequireAuthorization(Policies.Accounts);

        accounts.MapPatch("/{id:int}", async (int id, EditAccountRequest request, ScopedDbContextFactory data, AccountLifecycle lifecycle, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            if (await AccountPanelQueries.LoadAsync(db, id, cancellationToken) is not { } account)
                return ApiProblems.NotFound(AccountLifecycle.NotFoundMessage);
            var result = await lifecycle.EditAsync(db, id, request.ApplyTo(account), await admin.GetActorAsync(), cancellationToken);
            return await AnswerAsync(db, id, result, cancellationToken);
        })
        .Audited(ActivityActions.AccountEdit)
        .WithName("EditAccount")
        .WithSummary("Changes the fields sent, under the same rules as a CSV row and the single-account form. A pending account's number may change (the old one is released); an active or suspended account keeps its number. 422 lists each field's problem.")
        .Produces<ApiAccountChange>()
        .ProducesProblem(400)
        .ProducesProblem(404)
        .ProducesProblem(422)
        .WithMetadata(ApiExample.Request(ApiExamples.EditRequest), ApiExample.Problem(422, ApiExamples.EditRefused))
        .RequireAuthorization(Policies.Accounts);

        accounts.MapPost("/{id:int}/suspend", async (int id, ScopedDbContextFactory data, AccountLifecycle lifecycle, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return await AnswerAsync(db, id, await lifecycle.SuspendAsync(db, id, await admin.GetActorAsync(), cancellationToken), cancellationToken);
        })
        .Audited(ActivityActions.AccountSuspend)
        .WithName("SuspendAccount")
        .WithSummary("Suspends the account: the user cannot sign in or activate, and the account keeps its number. 409 when it is already suspended.")
        .Produces<ApiAccountChange>()
        .ProducesProblem(404)
        .ProducesProblem(409)
        .WithMetadata(ApiExample.Problem(409, ApiExamples.AlreadySuspended))
        .RequireAuthorization(Policies.Accounts);

        accounts.MapPost("/{id:int}/unsuspend", async (int id, ScopedDbContextFactory data, AccountLifecycle lifecycle, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return await AnswerAsync(db, id, await lifecycle.UnsuspendAsync(db, id, await admin.GetActorAsync(), cancellationToken), cancellationToken);
        })
        .Audited(ActivityActions.AccountUnsuspend)
        .WithName("UnsuspendAccount")
        .WithSummary("Returns a suspended account to the status it had when it was suspended (an active account is active again). 409 when it is not suspended.")
        .Produces<ApiAccountChange>()
        .ProducesProblem(404)
        .ProducesProblem(409)
        .RequireAuthorization(Policies.Accounts);

        accounts.MapDelete("/{id:int}", async (int id, string? number, string? tag, ScopedDbContextFactory data, AccountLifecycle lifecycle, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            if (!Enum.TryParse<NumberDisposition>(number?.Trim(), ignoreCase: true, out var disposition) || !Enum.IsDefined(disposition) || int.TryParse(number, out _))
                return ApiProblems.BadRequest($"number: say what becomes of the account's number, \"release\" (Available) or \"reserve\" (kept Reserved with a tag).");
            if (disposition == NumberDisposition.Reserve && !NumberRules.TryNormalizeTag(tag, out _, out var tagError))
                return ApiProblems.BadRequest($"tag: {tagError}");
            await using var db = await data.CreateAsync(cancellationToken);
            return await AnswerAsync(db, id, await lifecycle.DeleteAsync(db, id, new AccountDeletion(disposition, tag), await admin.GetActorAsync(), cancellationToken), cancellationToken);
        })
        .Audited(ActivityActions.AccountDelete)
        .WithName("DeleteAccount")
        .WithSummary("Deletes the account. number=release puts its number back to Available; number=reserve&tag=PORTED keeps it Reserved with the tag. Its invitation links stop working and invitation emails not yet sent are withdrawn.")
        .Produces<ApiAccountChange>()
        .ProducesProblem(400)
        .ProducesProblem(404)
        .WithMetadata(ApiExample.Response(200, ApiExamples.Deleted))
        .RequireAuthorization(Policies.Accounts);

        return api;
    }

    private static async Task<IResult> AnswerAsync(MultiLineDbContext db, int id, AccountChangeResult result, CancellationToken cancellationToken) => result.Status switch
    {
        AccountChangeStatus.NotFound => ApiProblems.NotFound(AccountLifecycle.NotFoundMessage),
        AccountChangeStatus.NotAllowed => ApiProblems.Create(StatusCodes.Status403Forbidden, result.Message),
        AccountChangeStatus.Refused when result.Problems.Count > 0 => ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, result.Message,
            new Dictionary<string, object?> { ["problems"] = result.Problems.Select(ApiImportProblem.From).ToList() }),
        AccountChangeStatus.Refused => ApiProblems.Create(StatusCodes.Status409Conflict, result.Message),
        _ => TypedResults.Ok(new ApiAccountChange(result.Message, await AccountPanelQueries.LoadAsync(db, id, cancellationToken))),
    };
}
