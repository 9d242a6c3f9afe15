using System.Net;
using System.Net.Http.Json;
using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using MultiLine.Core.Admins;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Tests.Isolation;

/// <summary>A scoped admin who manages administrators: the admins of another subtree do not exist for them.</summary>
public sealed partial class TenantIsolationTests
{
    [Fact]
    public async Task AScopedAdministratorManagerNeitherSeesNorChangesTheAdminsOfAnotherSubtree()
    {
        var tenant = portal.Scoped;
        Assert.True(tenant.Scope.Has(Privileges.Administrators));
        var before = await portal.FingerprintAsync();
        List<(int Id, string Email)> foreign;
        int ownRole;
        await using (var db = portal.Factory.CreateDbContext())
        {
            foreign = (await db.Admins.Where(a => a.ScopeOrganizationId == null || !tenant.InsideOrganizationIds.Contains(a.ScopeOrganizationId.Value))
                .Select(a => new { a.Id, a.Email }).ToListAsync(Cancel)).Select(a => (a.Id, a.Email)).ToList();
            ownRole = await db.Roles.Where(r => r.Name == "Report Viewer").Select(r => r.Id).SingleAsync(Cancel);
        }
        Assert.NotEmpty(foreign);
        var findings = new List<string>();
        var tried = 0;

        void Check(string request, string body)
        {
            foreach (var (_, email) in foreign.Where(f => body.Contains($"\"{f.Email}\"", StringComparison.OrdinalIgnoreCase) || body.Contains($">{f.Email}<", StringComparison.OrdinalIgnoreCase)))
                findings.Add($"{request}: shows the administrator {email} of another subtree");
        }

        foreach (var text in tenant.AdversarialTexts.Append("").Concat(foreign.Select(f => f.Email)))
        {
            tried++;
            using var response = await tenant.Api.GetAsync($"/api/v1/admins?search={Uri.EscapeDataString(text)}", Cancel);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Check($"GET /api/v1/admins?search={text}", await response.Content.ReadAsStringAsync(Cancel));
        }
        foreach (var (id, _) in foreign)
        {
            var inside = tenant.InsideOrganizationIds[0];
            HttpRequestMessage[] requests =
            [
                new(HttpMethod.Get, $"/api/v1/admins/{id}"),
                new(HttpMethod.Post, $"/api/v1/admins/{id}/resend-invitation"),
                new(HttpMethod.Patch, $"/api/v1/admins/{id}") { Content = JsonContent.Create(new { disabled = true }) },
                new(HttpMethod.Patch, $"/api/v1/admins/{id}") { Content = JsonContent.Create(new { roleId = ownRole, scopeOrganizationId = inside }) },
                new(HttpMethod.Patch, $"/api/v1/admins/{id}") { Content = JsonContent.Create(new { allOrganizations = true }) },
            ];
            foreach (var request in requests)
            {
                tried++;
                var described = $"{request.Method} {request.RequestUri}";
                using var response = await tenant.Api.SendAsync(request, Cancel);
                if (response.StatusCode != HttpStatusCode.NotFound)
                    findings.Add($"{described}: {(int)response.StatusCode} instead of 404 for an administrator of another subtree");
                Check(described, await response.Content.ReadAsStringAsync(Cancel));
            }
        }
        foreach (var organization in tenant.ForeignIds["organization"].Cast<int?>().Append(null))
        {
            tried++;
            using var response = await tenant.Api.PostAsJsonAsync("/api/v1/admins",
                new { name = "Mallory", email = $"mallory.{organization}@isolation.example", roleId = ownRole, scopeOrganizationId = organization }, Cancel);
            if (response.IsSuccessStatusCode)
                findings.Add($"POST /api/v1/admins with scope {organization?.ToString() ?? "all organizations"}: {(int)response.StatusCode}, an administrator outside the scope was invited");
        }

        await using (var context = Components.PortalTestContext.Create(portal.Factory, tenant.Scope))
        {
            context.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", true));
            context.Render<MudPopoverProvider>();
            var page = context.Render<AdministratorsPage>();
            page.WaitForAssertion(() => Assert.Contains(tenant.Email, page.Markup, StringComparison.OrdinalIgnoreCase));
            var search = page.FindComponents<MudTextField<string>>().Single();
            foreach (var text in tenant.AdversarialTexts.Append("admin"))
            {
                tried++;
                await page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync(text));
                Check($"Administrators page, search \"{text}\"", page.Markup);
            }
        }

        Report($"Tenant isolation, administrators: {tried} requests and page states as {tenant}.");
        NoFindings(findings);
        Assert.Equal(before, await portal.FingerprintAsync());
    }
}
