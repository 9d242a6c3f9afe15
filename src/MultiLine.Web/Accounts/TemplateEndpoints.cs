using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Imports;
using MultiLine.Core.Persistence;

namespace MultiLine.Web.Accounts;

public static class TemplateEndpoints
{
    /// <summary>The CSV template made for one organization: <c>/templates/multiline-accounts.csv?organization=3</c>.</summary>
    public static IEndpointRouteBuilder MapCsvTemplate(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/templates/multiline-accounts.csv", async (int organization, ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            var found = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organization, cancellationToken);
            if (found is null)
                return Results.NotFound();
            var template = CsvTemplate.For(found);
            return Results.File(template.ToBytes(), "text/csv; charset=utf-8", template.FileName);
        }).RequireAuthorization(Admins.Policies.Accounts);
        return endpoints;
    }
}
