using MultiLine.Core.Activity;
using MultiLine.Web.Activity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Persistence;
using MultiLine.Web.Accounts;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>
/// The accounts export and the update from CSV over HTTP: the same export, reader, rules and batch as the Accounts page.
/// </summary>
internal static class AccountTransferApi
{
    public static RouteGroupBuilder MapAccountTransferEndpoints(this RouteGroupBuilder api, long maxRequestBytes)
    {
        var accounts = api.MapGroup("/accounts").WithTags("Accounts").RequireAuthorization(Policies.Accounts);

        accounts.MapGet("/export.csv", async (int? organizationId, bool? includeSubOrganizations, string? status, string? search, string? sort, bool? descending, string? timeZone,
            AccountExport export, ICurrentAdmin admin, HttpContext http) =>
        {
            if (!ApiRequest.TryEnum<AccountStatus>(status, "status", out var accountStatus, out var error))
                return error!;
            if (sort is not null && !AccountDirectory.SortColumns.Contains(sort))
                return ApiProblems.BadRequest($"sort: \"{sort}\" is not one of {string.Join(", ", AccountDirectory.SortColumns.Order())}.");
            var request = new AccountExportRequest(new AccountSearch(search, accountStatus, organizationId, includeSubOrganizations ?? false), sort, descending ?? false, timeZone);
            return await AccountTransferEndpoints.ExportFileAsync(export, request, await admin.GetActorAsync(), http.RequestAborted) ?? ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
        })
        .Audited(ActivityActions.AccountsExport)
        .WithName("ExportAccounts")
        .WithSummary("Downloads the accounts of a filter as CSV (UTF-8 with BOM), streamed: the same filters as GET /api/v1/accounts, plus sort (Name, Username, Organization, Status, Number, PermissionGroup), descending and timeZone (an IANA id such as Europe/Rome; UTC by default) for the times it writes.")
        .WithDescription("A header block of lines starting with # (report name, date and time with the time zone, organization, filter), then one line per account. The columns an update reads keep the CSV template's names, so the file can be edited and sent back to POST /api/v1/accounts/updates.")
        .Produces<string>(200, "text/csv")
        .ProducesProblem(400)
        .ProducesProblem(404);

        var updates = accounts.MapGroup("/updates").WithMetadata(new RequestSizeLimitAttribute(maxRequestBytes));

        updates.MapPost("/validate", async (string? fileName, HttpContext http, AccountImport import, AccountUpdate update, ScopedDbContextFactory data) =>
        {
            var (file, refused) = await ImportEndpoints.ReadUploadAsync(http, import, fileName);
            if (refused is not null)
                return refused;
            await using var db = await data.CreateAsync(http.RequestAborted);
            return TypedResults.Ok(ApiUpdatePreview.From(await update.PreviewAsync(db, file!, http.RequestAborted)));
        })
        .NotAudited("Writes nothing: says what the update would change.")
        .WithName("ValidateAccountUpdate")
        .WithSummary("Checks an update file (an edited accounts export) and says per row what would change, before → after, or why it is refused. Writes nothing.")
        .WithDescription("Rows are matched by username within your scope. Non-empty cells of firstname, lastname, permission_group, social_messaging, restrict_incoming_social_messaging, monitor_calls, monitor_sms, forwarding_number and language set the value; empty cells leave it. organization, status, multiline_number, invitation_sent and activation_date are read-only and ignored.")
        .Produces<ApiUpdatePreview>()
        .ProducesProblem(400)
        .ProducesProblem(413)
        .WithMetadata(new CsvUploadMetadata());

        updates.MapPost("/", async (string? fileName, HttpContext http, AccountImport import, AccountUpdate update, ScopedDbContextFactory data) =>
        {
            var (file, refused) = await ImportEndpoints.ReadUploadAsync(http, import, fileName);
            if (refused is not null)
                return refused;
            await using var db = await data.CreateAsync(http.RequestAborted);
            var outcome = await update.CommitAsync(db, new AccountUpdateCommand(file!, await ApiRequest.ActorAsync(http)), http.RequestAborted);
            if (!outcome.Succeeded)
                return ApiProblems.Create(outcome.Result.Refusal == SubmitRefusal.UnreadableFile ? StatusCodes.Status400BadRequest : StatusCodes.Status422UnprocessableEntity,
                    outcome.Result.Error!, new Dictionary<string, object?> { ["preview"] = ApiUpdatePreview.From(outcome.Preview) });
            return await BatchEndpoints.AcceptedAsync(db, outcome.Result.BatchId!.Value, http.RequestAborted);
        })
        .Audited(ActivityActions.UpdateSubmit)
        .WithName("UpdateAccounts")
        .WithSummary("Updates accounts from a CSV file as a batch (kind Update): the rows that change an account run; refused rows are Failed and unchanged rows Skipped in the report. 202 with the batch and a Location to poll.")
        .WithDescription("400 when the file cannot be read at all; 422 when no row changes an account, or the changed accounts belong to unrelated organization trees.")
        .Produces<ApiBatch>(202)
        .ProducesProblem(400)
        .ProducesProblem(413)
        .ProducesProblem(422)
        .WithMetadata(new CsvUploadMetadata());

        return api;
    }
}
