using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Web.Activity;
using MultiLine.Core.Persistence;

namespace MultiLine.Web.Accounts;

public static class TemplateEndpoints
{
    /// <summary>
    /// The templates made for one organization: <c>/templates/multiline-accounts.csv?organization=3</c> and
    /// <c>/templates/multiline-accounts.xlsx?organization=3</c>; with <c>&amp;numbers=25</c>, pre-filled with 25 of its Available numbers.
    /// </summary>
    public static IEndpointRouteBuilder MapCsvTemplate(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/templates/multiline-accounts.csv", async (int organization, int? numbers, ScopedDbContextFactory data, AccountTemplates templates, ICurrentAdmin admin, TimeProvider clock, CancellationToken cancellationToken) =>
            await TemplateFileAsync(data, templates, organization, TemplateFormat.Csv, numbers, await admin.GetActorAsync(), clock, cancellationToken))
            .RequireAuthorization(Admins.Policies.Accounts)
            .Audited(ActivityActions.TemplateDownload);
        endpoints.MapGet("/templates/multiline-accounts.xlsx", async (int organization, int? numbers, ScopedDbContextFactory data, AccountTemplates templates, ICurrentAdmin admin, TimeProvider clock, CancellationToken cancellationToken) =>
            await TemplateFileAsync(data, templates, organization, TemplateFormat.Xlsx, numbers, await admin.GetActorAsync(), clock, cancellationToken))
            .RequireAuthorization(Admins.Policies.Accounts)
            .Audited(ActivityActions.TemplateDownload);
        return endpoints;
    }

    /// <summary>
    /// The organization's template as a file, its download recorded; 404 when the organization is not in the scope, 400
    /// when the numbers asked for cannot be served. Shared by the page's links and the API.
    /// </summary>
    public static async Task<IResult> TemplateFileAsync(ScopedDbContextFactory data, AccountTemplates templates, int organizationId, TemplateFormat format, int? numbers,
        ActivityActor actor, TimeProvider clock, CancellationToken cancellationToken, Func<string, IResult>? notFound = null, Func<string, IResult>? badRequest = null)
    {
        await using var db = await data.CreateAsync(cancellationToken);
        var (file, refusal) = await templates.CreateAsync(db, organizationId, format, numbers, cancellationToken);
        if (file is null)
            return refusal!.NotFound
                ? notFound?.Invoke(refusal.Message) ?? Results.NotFound()
                : badRequest?.Invoke(refusal.Message) ?? Results.Text(refusal.Message, statusCode: StatusCodes.Status400BadRequest);
        ActivityLog.Record(db, actor, clock.GetUtcNow().UtcDateTime, ActivityActions.TemplateDownload, file.OrganizationId, ActivityTargetKind.Organization,
            file.OrganizationId.ToString(System.Globalization.CultureInfo.InvariantCulture), file.OrganizationName, file.FileName);
        await db.SaveChangesAsync(cancellationToken);
        return Results.File(file.Content, file.ContentType, file.FileName);
    }
}
