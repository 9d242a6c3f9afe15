using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using MultiLine.Core.Accounts;
using MultiLine.Core.Numbers;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>Organizations, templates, numbers and accounts, each limited to the token's scope.</summary>
[Collection(ApiCollection.Name)]
public sealed class OrganizationsApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SuperAdminListsEveryOrganizationWithSettingsCapacityAndGroups()
    {
        using var client = api.Client();

        var organizations = (await client.GetFromJsonAsync<List<ApiOrganization>>("/api/v1/organizations", ApiFixture.Json, Ct))!;

        Assert.Equal(["Acme Corp", "Acme Sales", "Acme Support", "Health Monitor", "Support EMEA"], organizations!.Select(o => o.Name).Order());
        var sales = organizations.Single(o => o.Name == "Acme Sales");
        var acme = organizations.Single(o => o.Name == "Acme Corp");
        Assert.Equal(acme.Id, sales.ParentId);
        Assert.True(sales.Settings.SocialMessagingEnabled);
        Assert.True(organizations.Single(o => o.Name == "Acme Support").Settings.SmtpDataOffload);
        Assert.Equal(sales.AvailableNumbers - sales.PendingAccountsWithoutNumber, sales.FreeCapacity);
        Assert.Contains(sales.PermissionGroups, g => g is { Name: "Standard", Default: true });
    }

    [Fact]
    public async Task ScopedAdminListsOnlyTheirSubtree()
    {
        using var client = api.Client(api.ScopedToken);

        var organizations = await client.GetFromJsonAsync<List<ApiOrganization>>("/api/v1/organizations", ApiFixture.Json, Ct);

        Assert.Equal(["Acme Support", "Support EMEA"], organizations!.Select(o => o.Name).Order());
    }

    [Fact]
    public async Task TemplateIsTheCsvMadeForTheOrganization()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var response = await client.GetAsync($"/api/v1/organizations/{sales}/template.csv", Ct);

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(Ct)).TrimStart('\uFEFF');
        Assert.StartsWith("firstname,lastname,email address or device,social_messaging", text);
        Assert.Contains("restrict_incoming_social_messaging", text.Split("\r\n")[0]);
        Assert.Contains("Note: delete this row", text);
    }

    [Fact]
    public async Task NumbersAreListedWithStateAndHolderAndFilteredByState()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var assigned = await client.GetFromJsonAsync<ApiPage<NumberRow>>($"/api/v1/organizations/{sales}/numbers?state=assigned&pageSize=10", ApiFixture.Json, Ct);
        var available = await client.GetFromJsonAsync<ApiPage<NumberRow>>($"/api/v1/organizations/{sales}/numbers?state=Available&page=2&pageSize=5", ApiFixture.Json, Ct);

        Assert.NotEmpty(assigned!.Items);
        Assert.All(assigned.Items, n => { Assert.Equal(NumberState.Assigned, n.State); Assert.NotNull(n.Holder); });
        Assert.Equal(2, available!.Page);
        Assert.Equal(5, available.Items.Count);
        Assert.All(available.Items, n => { Assert.Equal(NumberState.Available, n.State); Assert.Null(n.Holder); });
    }

    [Fact]
    public async Task UnknownFilterValueIs400ProblemNamingTheAcceptedValues()
    {
        using var client = api.Client();

        var response = await client.GetAsync("/api/v1/accounts?status=pending", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("status: \"pending\" is not one of NotInvited, Invited, InvitationFailed, Active, Suspended.",
            (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }

    [Fact]
    public async Task AccountsAreFilteredByOrganizationAndStatus()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var page = await client.GetFromJsonAsync<ApiPage<AccountRow>>($"/api/v1/accounts?organizationId={sales}&status=Invited&pageSize=500", ApiFixture.Json, Ct);

        Assert.NotEmpty(page!.Items);
        Assert.Equal(page.TotalCount, page.Items.Count);
        Assert.All(page.Items, a => { Assert.Equal("Acme Sales", a.Organization); Assert.Equal(AccountStatus.Invited, a.Status); });
    }

    [Fact]
    public async Task AccountsOfAnOrganizationIncludeItsSubOrganizationsOnlyWhenAsked()
    {
        using var client = api.Client();
        var corp = await api.OrganizationIdAsync("Acme Corp");

        var own = await client.GetFromJsonAsync<ApiPage<AccountRow>>($"/api/v1/accounts?organizationId={corp}&pageSize=500", ApiFixture.Json, Ct);
        var tree = await client.GetFromJsonAsync<ApiPage<AccountRow>>($"/api/v1/accounts?organizationId={corp}&includeSubOrganizations=true&pageSize=500", ApiFixture.Json, Ct);

        Assert.All(own!.Items, a => Assert.Equal("Acme Corp", a.Organization));
        Assert.Contains(tree!.Items, a => a.Organization == "Acme Sales");
        Assert.DoesNotContain(tree.Items, a => a.Organization == "Health Monitor");
        Assert.True(tree.TotalCount > own.TotalCount);
    }

    [Fact]
    public async Task AccountSearchFindsByUsername()
    {
        using var client = api.Client();
        var some = (await client.GetFromJsonAsync<ApiPage<AccountRow>>("/api/v1/accounts?pageSize=1", ApiFixture.Json, Ct))!.Items.Single();

        var found = await client.GetFromJsonAsync<ApiPage<AccountRow>>($"/api/v1/accounts?search={Uri.EscapeDataString(some.Username)}", ApiFixture.Json, Ct);

        Assert.Contains(found!.Items, a => a.Id == some.Id);
    }

    [Theory]
    [InlineData("/api/v1/organizations/{0}/template.csv")]
    [InlineData("/api/v1/organizations/{0}/template.xlsx?numbers=1")]
    [InlineData("/api/v1/organizations/{0}/numbers")]
    [InlineData("/api/v1/accounts?organizationId={0}")]
    [InlineData("/api/v1/batches?organizationId={0}")]
    public async Task ScopedAdminGets404ForAnOrganizationOutsideTheirScopeAsForOneThatDoesNotExist(string path)
    {
        using var client = api.Client(api.ScopedToken);
        var health = await api.OrganizationIdAsync("Health Monitor");

        var foreign = await client.GetAsync(string.Format(path, health), Ct);
        var missing = await client.GetAsync(string.Format(path, 999_999), Ct);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal((await missing.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail, (await foreign.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }

    [Fact]
    public async Task ScopedAdminSeesOnlyAccountsOfTheirSubtree()
    {
        using var client = api.Client(api.ScopedToken);

        var page = await client.GetFromJsonAsync<ApiPage<AccountRow>>("/api/v1/accounts?pageSize=500", ApiFixture.Json, Ct);

        Assert.NotEmpty(page!.Items);
        Assert.All(page.Items, a => Assert.Contains(a.Organization, new[] { "Acme Support", "Support EMEA" }));
    }
}
