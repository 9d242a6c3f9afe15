using MultiLine.Web.Activity;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;

namespace MultiLine.Web.Accounts;

/// <summary>"Download accounts (CSV)" for the signed-in admin: the Accounts page's link carries its filter, sort and the browser's time zone.</summary>
public static class AccountTransferEndpoints
{
    /// <summary><c>/accounts/export.csv?q=…&amp;status=…&amp;org=…&amp;sub=1&amp;sort=…&amp;desc=1&amp;tz=Europe/Rome</c>: the same query names as the page's address.</summary>
    public static IEndpointRouteBuilder MapAccountsExport(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/accounts/export.csv", async (string? q, string? status, int? org, string? sub, string? sort, string? desc, string? tz, AccountExport export, ICurrentAdmin admin, HttpContext http) =>
        {
            var address = AccountsAddress.Parse(q, status, org?.ToString(System.Globalization.CultureInfo.InvariantCulture), sub, sort, desc, null);
            return await ExportFileAsync(export, new AccountExportRequest(address.Search, address.SortBy, address.Descending, tz), await admin.GetActorAsync(), http.RequestAborted)
                ?? Results.NotFound();
        }).RequireAuthorization(Admins.Policies.Accounts).Audited(ActivityActions.AccountsExport);
        return endpoints;
    }

    /// <summary>The export as a streamed, named CSV file; null when the filter's organization is not in the admin's scope. Shared by the page's download and the API.</summary>
    public static async Task<IResult?> ExportFileAsync(AccountExport export, AccountExportRequest request, ActivityActor actor, CancellationToken cancellationToken)
    {
        var file = await export.PrepareAsync(request, actor, cancellationToken);
        if (file is null)
            return null;
        // Written after the endpoint returns, row by row as the query reads them.
        return Results.Stream(output => export.WriteAsync(file, output, cancellationToken), AccountExportFile.ContentType, file.FileName);
    }
}
