using MultiLine.Web.Activity;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Imports;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>Organizations in scope, their CSV template and their numbers.</summary>
internal static class OrganizationEndpoints
{
    public static RouteGroupBuilder MapOrganizationEndpoints(this RouteGroupBuilder api)
    {
        var organizations = api.MapGroup("/organizations").WithTags("Organizations");

        organizations.MapGet("/", async (ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            var list = new List<ApiOrganization>();
            foreach (var (organization, capacity) in await OrganizationDirectory.ListWithCapacityAsync(db, cancellationToken))
                list.Add(ApiOrganization.From(organization, capacity, await OrganizationDirectory.PermissionGroupsAsync(db, organization.Id, cancellationToken)));
            return TypedResults.Ok(list);
        })
        .WithName("ListOrganizations")
        .WithSummary("Organizations in your scope, parents before children, with settings, free capacity and User Permissions groups.")
        .RequireAuthorization(Policies.Accounts)
        .WithMetadata(ApiExample.Response(200, ApiExamples.Organizations));

        organizations.MapGet("/{id:int}/template.csv", async (int id, int? numbers, ScopedDbContextFactory data, AccountTemplates templates, TimeProvider clock, HttpContext http) =>
            await Accounts.TemplateEndpoints.TemplateFileAsync(data, templates, id, TemplateFormat.Csv, numbers, await ApiRequest.ActorAsync(http), clock, http.RequestAborted,
                _ => ApiProblems.NotFound(ApiProblems.OrganizationNotFound), ApiProblems.BadRequest))
        .Audited(Core.Activity.ActivityActions.TemplateDownload)
        .WithName("GetCsvTemplate")
        .WithSummary("The CSV template made for the organization (delete its Note row before uploading); with numbers=N, one row per Available number.")
        .WithDescription("numbers=N pre-fills N of the organization's Available numbers (ascending), one row each, at most the Available numbers and the import's row limit (400 otherwise).")
        .Produces(200, contentType: "text/csv")
        .ProducesProblem(400)
        .ProducesProblem(404)
        .RequireAuthorization(Policies.Accounts);

        organizations.MapGet("/{id:int}/template.xlsx", async (int id, int? numbers, ScopedDbContextFactory data, AccountTemplates templates, TimeProvider clock, HttpContext http) =>
            await Accounts.TemplateEndpoints.TemplateFileAsync(data, templates, id, TemplateFormat.Xlsx, numbers, await ApiRequest.ActorAsync(http), clock, http.RequestAborted,
                _ => ApiProblems.NotFound(ApiProblems.OrganizationNotFound), ApiProblems.BadRequest))
        .Audited(Core.Activity.ActivityActions.TemplateDownload)
        .WithName("GetXlsxTemplate")
        .WithSummary("The template as an Excel workbook: phone columns formatted as text, drop-downs, instructions on a second sheet; with numbers=N, one row per Available number.")
        .WithDescription("numbers=N pre-fills N of the organization's Available numbers (ascending), one row each, at most the Available numbers and the import's row limit (400 otherwise).")
        .Produces(200, contentType: XlsxTemplate.ContentType)
        .ProducesProblem(400)
        .ProducesProblem(404)
        .RequireAuthorization(Policies.Accounts);

        organizations.MapGet("/{id:int}/numbers", async (int id, string? state, int? page, int? pageSize, ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            if (!ApiRequest.TryEnum<NumberState>(state, "state", out var numberState, out var error))
                return error!;
            await using var db = await data.CreateAsync(cancellationToken);
            if (!await db.Organizations.AnyAsync(o => o.Id == id, cancellationToken))
                return ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
            var paging = ApiRequest.Paging(page, pageSize);
            var numbers = await NumberInventory.ListAsync(db, id, numberState, null, paging, cancellationToken);
            return TypedResults.Ok(ApiPage<NumberRow>.From(numbers, paging));
        })
        .WithName("ListNumbers")
        .WithSummary("The organization's MultiLine numbers with state (Available, Reserved, Assigned, Registered) and holder.")
        .Produces<ApiPage<NumberRow>>()
        .ProducesProblem(400)
        .ProducesProblem(404)
        .RequireAuthorization(Policies.Numbers);

        return api;
    }
}
