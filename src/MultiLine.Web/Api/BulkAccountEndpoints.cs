using MultiLine.Core.Activity;
using MultiLine.Web.Activity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>
/// The bulk actions on accounts, on a list of ids or on every account matching a filter (the filter of
/// <c>GET /api/v1/accounts</c>, evaluated again when the batch is stored): one route per action, each answering 202
/// with the queued batch. They run through the same submission as the Accounts page.
/// </summary>
internal static class BulkAccountEndpoints
{
    private sealed record BulkRoute(string Path, BatchKind Kind, string Name, string Summary);

    private static readonly BulkRoute[] Routes =
    [
        new("resend-invitations", BatchKind.ResendInvitations, "BulkResendInvitations", "Sends the invitation again to each selected account. Active and suspended accounts are skipped; a row that cannot keep a number fails with the reason."),
        new("move", BatchKind.Move, "BulkMoveAccounts", "Moves the selected pending accounts to destinationOrganizationId under its rules; other accounts are skipped. 409 when the destination lacks free capacity."),
        new("suspend", BatchKind.Suspend, "BulkSuspendAccounts", "Suspends each selected account (it keeps its number). Accounts already suspended are skipped."),
        new("unsuspend", BatchKind.Unsuspend, "BulkUnsuspendAccounts", "Returns each selected suspended account to the status it had; others are skipped."),
        new("delete", BatchKind.Delete, "BulkDeleteAccounts", "Deletes each selected account. number=release puts the numbers back to Available; number=reserve with a tag keeps them Reserved."),
        new("edit-settings", BatchKind.EditSettings, "BulkEditAccountSettings", "Gives every selected account the settings sent (monitorCalls auto/off, monitorSms on/off, socialMessaging, restrictIncomingSocialMessaging, language, permissionGroupId), each row under the single edit's rules; fields left out keep each account's own value."),
    ];

    public static RouteGroupBuilder MapBulkAccountEndpoints(this RouteGroupBuilder api)
    {
        var bulk = api.MapGroup("/accounts/bulk").WithTags("Accounts");
        foreach (var route in Routes)
        {
            var kind = route.Kind;
            bulk.MapPost($"/{route.Path}", (BulkAccountsRequest request, ScopedDbContextFactory data, AccountBatchSubmission submission, IOptions<ApiOptions> options, HttpContext http) =>
                    SubmitAsync(kind, request, data, submission, options.Value, http))
                .Audited(kind switch { BatchKind.Move => ActivityActions.MoveSubmit, BatchKind.ResendInvitations => ActivityActions.ResendSubmit, _ => ActivityActions.BulkSubmit })
                .WithName(route.Name)
                .WithSummary(route.Summary + " Send either accountIds or filter (organizationId, includeSubOrganizations, status, search, as GET /api/v1/accounts takes them); a filter is applied again when the batch is stored.")
                .Produces<ApiBatch>(202)
                .ProducesProblem(400)
                .ProducesProblem(404)
                .ProducesProblem(409)
                .ProducesProblem(422)
                .WithMetadata(ApiExample.Request(Example(kind)), ApiExample.Response(202, ApiExamples.QueuedBulk(kind)))
                .RequireAuthorization(Policies.Accounts, Policies.AccountsBulkOperations);
        }
        return api;
    }

    private static object Example(BatchKind kind) => kind switch
    {
        BatchKind.Move => ApiExamples.BulkMoveRequest,
        BatchKind.Delete => ApiExamples.BulkDeleteRequest,
        BatchKind.EditSettings => ApiExamples.BulkEditRequest,
        _ => ApiExamples.BulkFilterRequest,
    };

    private static async Task<IResult> SubmitAsync(BatchKind kind, BulkAccountsRequest request, ScopedDbContextFactory data, AccountBatchSubmission submission, ApiOptions options, HttpContext http)
    {
        var cancellationToken = http.RequestAborted;
        if ((request.AccountIds is null) == (request.Filter is null))
            return ApiProblems.BadRequest("Send either accountIds or filter, not both and not neither.");
        var (parsed, actionError) = ParseAction(kind, request);
        if (actionError is not null)
            return actionError;
        var action = parsed!;
        await using var db = await data.CreateAsync(cancellationToken);
        AccountSelection selection;
        if (request.Filter is { } filter)
        {
            if (!ApiRequest.TryEnum<AccountStatus>(filter.Status, "filter.status", out var status, out var error))
                return error!;
            if (filter.OrganizationId is { } id && !await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
                return ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
            selection = AccountSelection.Matching(new AccountSearch(filter.Search, status, filter.OrganizationId, filter.IncludeSubOrganizations ?? false));
        }
        else
        {
            if (await AccountEndpoints.CheckAccountIdsAsync(db, request.AccountIds, options, cancellationToken) is { } refused)
                return refused;
            selection = AccountSelection.Ticked(request.AccountIds!);
        }
        if (kind == BatchKind.Move && !selection.IsFilter)
        {
            // The ticked accounts get the dialog's plan: only the movable ones become rows.
            var plan = await AccountMoves.PlanAsync(db, request.AccountIds!, action.DestinationId!.Value, cancellationToken);
            if (plan is null)
                return ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
            var moved = await submission.SubmitMoveAsync(db, plan, await ApiRequest.ActorAsync(http), cancellationToken);
            return moved.Succeeded ? await BatchEndpoints.AcceptedAsync(db, moved.BatchId!.Value, cancellationToken) : Problem(moved);
        }
        var result = await submission.SubmitAsync(db, action, selection, await ApiRequest.ActorAsync(http), cancellationToken);
        return result.Succeeded ? await BatchEndpoints.AcceptedAsync(db, result.BatchId!.Value, cancellationToken) : Problem(result);
    }

    private static IResult Problem(SubmitResult result) => ApiProblems.Create(result.Refusal switch
    {
        SubmitRefusal.NotAllowed => StatusCodes.Status403Forbidden,
        SubmitRefusal.NotFound => StatusCodes.Status404NotFound,
        SubmitRefusal.NotEnoughNumbers => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status422UnprocessableEntity,
    }, result.Error!);

    private static (BulkAccountAction? Action, IResult? Error) ParseAction(BatchKind kind, BulkAccountsRequest request)
    {
        switch (kind)
        {
            case BatchKind.Move:
                return request.DestinationOrganizationId is { } destination
                    ? (BulkAccountAction.Move(destination), null)
                    : (null, ApiProblems.BadRequest("destinationOrganizationId: say where the accounts move."));
            case BatchKind.Delete:
                if (!Enum.TryParse<NumberDisposition>(request.Number?.Trim(), ignoreCase: true, out var disposition) || !Enum.IsDefined(disposition) || int.TryParse(request.Number, out _))
                    return (null, ApiProblems.BadRequest("number: say what becomes of the accounts' numbers, \"release\" (Available) or \"reserve\" (kept Reserved with a tag)."));
                if (disposition == NumberDisposition.Reserve && !NumberRules.TryNormalizeTag(request.Tag, out _, out var tagError))
                    return (null, ApiProblems.BadRequest($"tag: {tagError}"));
                return (BulkAccountAction.Delete(new AccountDeletion(disposition, disposition == NumberDisposition.Reserve ? request.Tag : null)), null);
            case BatchKind.EditSettings:
                var settings = request.Settings;
                if (settings is null)
                    return (null, ApiProblems.BadRequest("settings: send at least one setting to change."));
                if (!ApiRequest.TryEnum<MonitorCalls>(settings.MonitorCalls, "settings.monitorCalls", out var calls, out var error)
                    || !ApiRequest.TryEnum<MonitorSms>(settings.MonitorSms, "settings.monitorSms", out var sms, out error)
                    || !ApiRequest.TryEnum<Language>(settings.Language, "settings.language", out var language, out error))
                    return (null, error);
                var change = new AccountSettingsChange(PermissionGroupId: settings.PermissionGroupId, SocialMessaging: settings.SocialMessaging,
                    RestrictIncomingSocialMessaging: settings.RestrictIncomingSocialMessaging, MonitorCalls: calls, MonitorSms: sms, Language: language);
                return change.IsEmpty()
                    ? (null, ApiProblems.BadRequest("settings: send at least one setting to change."))
                    : (BulkAccountAction.EditSettings(change), null);
            case BatchKind.Suspend: return (BulkAccountAction.Suspend(), null);
            case BatchKind.Unsuspend: return (BulkAccountAction.Unsuspend(), null);
            default: return (BulkAccountAction.Resend(), null);
        }
    }
}
