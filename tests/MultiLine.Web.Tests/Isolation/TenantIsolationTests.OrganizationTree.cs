using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;

namespace MultiLine.Web.Tests.Isolation;

public sealed partial class TenantIsolationTests
{
    [Fact]
    public async Task AScopedAdminCannotCreateRenameOrDeleteOutsideItsScopeNorItsOwnTop()
    {
        var tenant = portal.Scoped;
        var names = await OrganizationNamesAsync();
        var foreign = tenant.ForeignIds["organization"];
        var top = tenant.InsideOrganizationIds.OrderBy(id => id).First();
        var findings = new List<string>();

        async Task Expect(HttpStatusCode expected, string what, Func<Task<HttpResponseMessage>> send)
        {
            using var response = await send();
            var body = await response.Content.ReadAsStringAsync(Cancel);
            if (response.StatusCode != expected)
                findings.Add($"{what}: {(int)response.StatusCode} instead of {(int)expected}: {body}");
            findings.AddRange(Inspect(tenant, what, response, body));
        }

        foreach (var id in foreign)
        {
            await Expect(HttpStatusCode.NotFound, $"create under #{id}", () => tenant.Api.PostAsJsonAsync("/api/v1/organizations", new { parentId = id, name = "Planted" }, Cancel));
            await Expect(HttpStatusCode.NotFound, $"rename #{id}", () => tenant.Api.PatchAsJsonAsync($"/api/v1/organizations/{id}", new { name = "Taken over" }, Cancel));
            await Expect(HttpStatusCode.NotFound, $"delete #{id}", () => tenant.Api.DeleteAsync($"/api/v1/organizations/{id}", Cancel));
            await Expect(HttpStatusCode.NotFound, $"add a group to #{id}", () => tenant.Api.PostAsJsonAsync($"/api/v1/organizations/{id}/permission-groups", new { name = "Planted", features = new[] { "Sms" } }, Cancel));
        }
        foreach (var id in tenant.ForeignIds["permission group"])
        {
            await Expect(HttpStatusCode.NotFound, $"edit group #{id}", () => tenant.Api.PatchAsJsonAsync($"/api/v1/permission-groups/{id}", new { name = "Taken over" }, Cancel));
            await Expect(HttpStatusCode.NotFound, $"delete group #{id}", () => tenant.Api.DeleteAsync($"/api/v1/permission-groups/{id}", Cancel));
        }
        // A reports-only admin has neither privilege; the scoped admin may not touch the top of its own scope nor add beside it.
        if (tenant.Scope.Has(Core.Admins.Privileges.Profile))
        {
            await Expect(HttpStatusCode.Conflict, "rename own top", () => tenant.Api.PatchAsJsonAsync($"/api/v1/organizations/{top}", new { name = "Renamed top" }, Cancel));
            await Expect(HttpStatusCode.Conflict, "delete own top", () => tenant.Api.DeleteAsync($"/api/v1/organizations/{top}", Cancel));
            await Expect(HttpStatusCode.Conflict, "create at the top level", () => tenant.Api.PostAsJsonAsync("/api/v1/organizations", new { parentId = (int?)null, name = "Planted" }, Cancel));
        }
        await Expect(HttpStatusCode.Forbidden, "reports-only create", () => portal.ReportsOnly.Api.PostAsJsonAsync("/api/v1/organizations",
            new { parentId = portal.ReportsOnly.InsideOrganizationIds[0], name = "Planted" }, Cancel));

        NoFindings(findings);
        Assert.Equal(names, await OrganizationNamesAsync());
    }

    private async Task<string> OrganizationNamesAsync()
    {
        await using var db = portal.Factory.CreateDbContext();
        var organizations = await db.Organizations.OrderBy(o => o.Id).Select(o => $"{o.Id}:{o.Name}").ToListAsync(Cancel);
        var groups = await db.PermissionGroups.OrderBy(g => g.Id).Select(g => $"{g.Id}:{g.Name}:{g.Features}").ToListAsync(Cancel);
        return string.Join(",", organizations.Concat(groups));
    }
}
