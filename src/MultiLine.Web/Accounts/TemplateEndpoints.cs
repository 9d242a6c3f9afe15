using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Web.Activity;
using MultiLine.Core.Persistence;

namespace MultiLine.Web.Accounts;

public static class TemplateEndpoints
{
    /// <summary>The CSV template made for one organization: <c>/templates/multiline-accounts.csv?organization=3</c>.</summary>
    public static IEndpointRouteBuilder MapCsvTemplate(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/templates/multiline-accounts.csv", async (int organization, ScopedDbContextFactory data, ICurrentAdmin admin, TimeProvider clock, CancellationToken cancellationToken) =>
            await TemplateFileAsync(data, organization, await admin.GetActorAsync(), clock, cancellationToken) ?? Results.NotFound())
            .RequireAuthorization(Admins.Policies.Accounts)
            .Audited(ActivityActions.TemplateDownload);
        return endpoints;
    }

    /// <summary>The organization's template as a file, its download recorded; null when the organization is not in the scope. Shared by the page's link and the API.</summary>
    public static async Task<IResult?> TemplateFileAsync(ScopedDbContextFactory data, int organizationId, ActivityActor actor, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var db = await data.CreateAsync(cancellationToken);
        var found = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (found is null)
            return null;
        var template = CsvTemplate.For(found);
        ActivityLog.Record(db, actor, clock.GetUtcNow().UtcDateTime, ActivityActions.TemplateDownload, found.Id, ActivityTargetKind.Organization,
            found.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), found.Name, template.FileName);
        await db.SaveChangesAsync(cancellationToken);
        return Results.File(template.ToBytes(), "text/csv; charset=utf-8", template.FileName);
    }
}
