using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>Administrators and roles over HTTP: the same rules as the pages, scope answers 404, escalation 403.</summary>
[Collection(ApiCollection.Name)]
public sealed class AdministratorsApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _unique = Guid.NewGuid().ToString("N")[..8];

    private static async Task<string?> DetailAsync(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail;

    private async Task<int> RoleIdAsync(string name)
    {
        await using var db = api.Factory.CreateDbContext();
        return await db.Roles.Where(r => r.Name == name).Select(r => r.Id).SingleAsync(Ct);
    }

    /// <summary>An admin of Acme Support who may manage administrators but holds only a few privileges, and their token.</summary>
    private async Task<(int Id, string Token)> LimitedAdminAsync()
    {
        await using var db = api.Factory.CreateDbContext();
        var role = new Role { Name = $"Admin desk {_unique}", Privileges = Privileges.Administrators | Privileges.ApiUsers | Privileges.Reports | Privileges.RolesAndPrivileges };
        var support = await db.Organizations.SingleAsync(o => o.Name == "Acme Support", Ct);
        var admin = new Admin { Email = $"desk-{_unique}@acme.example", NormalizedEmail = $"DESK-{_unique}@ACME.EXAMPLE", DisplayName = "Desk", Role = role, ScopeOrganizationId = support.Id, PasswordHash = "x" };
        db.Admins.Add(admin);
        await db.SaveChangesAsync(Ct);
        var token = await api.Factory.Services.GetRequiredService<ApiTokens>().CreateAsync(admin.Id, "Desk script", null, MultiLine.Tests.TestActors.Admin, Ct);
        return (admin.Id, token.Secret);
    }

    private async Task<List<string>> ActionsAsync(ActivityTargetKind kind, int id)
    {
        await using var db = api.Factory.CreateDbContext();
        var key = id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await db.ActivityEntries.Where(e => e.TargetKind == kind && e.TargetId == key).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(Ct);
    }

    [Fact]
    public async Task AnAdministratorIsInvitedListedResentAndDisabledWithOneActivityEntryEach()
    {
        using var client = api.Client();
        var email = $"sam-{_unique}@acme.example";
        var support = await api.OrganizationIdAsync("Acme Support");

        var invited = await client.PostAsJsonAsync("/api/v1/admins", new InviteAdministratorRequest("Sam Support", email, await RoleIdAsync("Report Viewer"), support), ApiFixture.Json, Ct);
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var admin = (await invited.Content.ReadFromJsonAsync<ApiAdministratorChange>(ApiFixture.Json, Ct))!.Administrator!;
        Assert.Equal((AdminStatus.Invited, "Acme Support", "Report Viewer"), (admin.Status, admin.Scope, admin.Role));
        Assert.Equal([Privileges.Reports], admin.Privileges);

        var listed = await client.GetFromJsonAsync<List<ApiAdministrator>>($"/api/v1/admins?search={_unique}&status=Invited", ApiFixture.Json, Ct);
        Assert.Equal([email], listed!.Select(a => a.Email));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/admins/{admin.Id}/resend-invitation", null, Ct)).StatusCode);
        var disabled = await client.PatchAsJsonAsync($"/api/v1/admins/{admin.Id}", new ChangeAdministratorRequest(Disabled: true), ApiFixture.Json, Ct);
        Assert.Equal(AdminStatus.Disabled, (await disabled.Content.ReadFromJsonAsync<ApiAdministratorChange>(ApiFixture.Json, Ct))!.Administrator!.Status);
        var again = await client.PostAsJsonAsync("/api/v1/admins", new InviteAdministratorRequest("Sam Again", email.ToUpperInvariant(), await RoleIdAsync("Report Viewer"), support), ApiFixture.Json, Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(AdministratorManagement.EmailInUse, await DetailAsync(again));

        Assert.Equal([ActivityActions.AdminInvite, ActivityActions.AdminResend, ActivityActions.AdminDisable], await ActionsAsync(ActivityTargetKind.Admin, admin.Id));
        await using var db = api.Factory.CreateDbContext();
        Assert.Equal(2, await db.EmailMessages.CountAsync(m => m.ToAddress == email, Ct));
    }

    [Fact]
    public async Task AnAdminCannotGiveMoreThanTheyHoldNorReachAdminsOutsideTheirScope()
    {
        var (_, token) = await LimitedAdminAsync();
        using var client = api.Client(token);
        var health = await api.OrganizationIdAsync("Health Monitor");
        var emea = await api.OrganizationIdAsync("Support EMEA");
        int superId;
        await using (var db = api.Factory.CreateDbContext())
            superId = await db.Admins.Where(a => a.Email == MultiLine.Tests.PortalFactory.AdminEmail).Select(a => a.Id).SingleAsync(Ct);

        var escalation = await client.PostAsJsonAsync("/api/v1/admins", new InviteAdministratorRequest("Eve", $"eve-{_unique}@acme.example", await RoleIdAsync("Super Admin"), emea), ApiFixture.Json, Ct);
        var outside = await client.PostAsJsonAsync("/api/v1/admins", new InviteAdministratorRequest("Eve", $"eve-{_unique}@acme.example", await RoleIdAsync("Report Viewer"), health), ApiFixture.Json, Ct);
        var everything = await client.PostAsJsonAsync("/api/v1/admins", new InviteAdministratorRequest("Eve", $"eve-{_unique}@acme.example", await RoleIdAsync("Report Viewer")), ApiFixture.Json, Ct);
        var readSuper = await client.GetAsync($"/api/v1/admins/{superId}", Ct);
        var disableSuper = await client.PatchAsJsonAsync($"/api/v1/admins/{superId}", new ChangeAdministratorRequest(Disabled: true), ApiFixture.Json, Ct);
        var role = await client.PostAsJsonAsync("/api/v1/roles", new RoleRequest($"Numbers {_unique}", [Privileges.Numbers]), ApiFixture.Json, Ct);
        var list = await client.GetFromJsonAsync<List<ApiAdministrator>>("/api/v1/admins", ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, escalation.StatusCode);
        Assert.StartsWith("You cannot give the role \"Super Admin\": it holds privileges you do not have", await DetailAsync(escalation));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, AdminRules.ScopeNotFound), (outside.StatusCode, await DetailAsync(outside)));
        Assert.Equal((HttpStatusCode.Forbidden, AdminRules.AllOrganizationsNotYours), (everything.StatusCode, await DetailAsync(everything)));
        Assert.Equal(HttpStatusCode.NotFound, readSuper.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, disableSuper.StatusCode);
        Assert.Equal((HttpStatusCode.Forbidden, "You cannot give a role privileges you do not have yourself (Numbers)."), (role.StatusCode, await DetailAsync(role)));
        Assert.DoesNotContain(list!, a => a.Email == MultiLine.Tests.PortalFactory.AdminEmail);
        await using var check = api.Factory.CreateDbContext();
        Assert.False(await check.Admins.AnyAsync(a => a.Email == $"eve-{_unique}@acme.example", Ct));
        Assert.False((await check.Admins.SingleAsync(a => a.Id == superId, Ct)).IsDisabled);
    }

    [Fact]
    public async Task ADisabledAdminsTokenStopsAtTheNextRequest()
    {
        var (id, token) = await LimitedAdminAsync();
        using var limited = api.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await limited.GetAsync("/api/v1/admins", Ct)).StatusCode);

        var disabled = await api.Client().PatchAsJsonAsync($"/api/v1/admins/{id}", new ChangeAdministratorRequest(Disabled: true), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await limited.GetAsync("/api/v1/admins", Ct)).StatusCode);
    }

    [Fact]
    public async Task TokensWithoutThePrivilegesCannotReachAdministratorsOrRoles()
    {
        foreach (var token in new[] { api.ScopedToken, api.ReportsToken })
        {
            using var client = api.Client(token);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/admins", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/roles", Ct)).StatusCode);
        }
    }

    [Fact]
    public async Task RolesAreCreatedRenamedAndDeletedAndARoleInUseIsKept()
    {
        using var client = api.Client();
        var name = $"Numbers desk {_unique}";

        var created = await client.PostAsJsonAsync("/api/v1/roles", new RoleRequest(name, [Privileges.Numbers, Privileges.Reports]), ApiFixture.Json, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var role = (await created.Content.ReadFromJsonAsync<ApiRoleChange>(ApiFixture.Json, Ct))!.Role!;
        Assert.Equal([Privileges.Numbers, Privileges.Reports], role.Privileges);
        var duplicate = await client.PostAsJsonAsync("/api/v1/roles", new RoleRequest(name.ToUpperInvariant(), [Privileges.Numbers]), ApiFixture.Json, Ct);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var renamed = await client.PatchAsJsonAsync($"/api/v1/roles/{role.Id}", new RoleRequest(Name: name + " 2"), ApiFixture.Json, Ct);
        Assert.Equal(name + " 2", (await renamed.Content.ReadFromJsonAsync<ApiRoleChange>(ApiFixture.Json, Ct))!.Role!.Name);
        var inUse = await client.DeleteAsync($"/api/v1/roles/{await RoleIdAsync("Super Admin")}", Ct);
        Assert.Equal(HttpStatusCode.Conflict, inUse.StatusCode);
        Assert.Contains("cannot be deleted: used by", await DetailAsync(inUse));
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/v1/roles/{role.Id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/v1/roles/{role.Id}", Ct)).StatusCode);

        Assert.Equal([ActivityActions.RoleCreate, ActivityActions.RoleEdit, ActivityActions.RoleDelete], await ActionsAsync(ActivityTargetKind.Role, role.Id));
    }
}
