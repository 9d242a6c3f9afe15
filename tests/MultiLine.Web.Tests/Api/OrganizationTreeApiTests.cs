using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>Create, rename, delete organizations and manage permission groups through the API. Each test undoes what it adds.</summary>
[Collection(ApiCollection.Name)]
public sealed class OrganizationTreeApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASubOrganizationIsCreatedRenamedAndDeleted()
    {
        using var client = api.Client();
        var health = await api.OrganizationIdAsync("Health Monitor");

        var created = await client.PostAsJsonAsync("/api/v1/organizations", new CreateOrganizationRequest(health, "Health Pilots"), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<ApiOrganizationChange>(ApiFixture.Json, Ct))!.Id!.Value;

        var taken = await client.PatchAsJsonAsync($"/api/v1/organizations/{id}", new RenameOrganizationRequest("acme sales"), Ct);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains("already exists", (await taken.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);

        var renamed = await client.PatchAsJsonAsync($"/api/v1/organizations/{id}", new RenameOrganizationRequest("Health Trials"), Ct);
        Assert.Equal("Health Pilots is now Health Trials.", (await renamed.Content.ReadFromJsonAsync<ApiOrganizationChange>(ApiFixture.Json, Ct))!.Message);

        var deleted = await client.DeleteAsync($"/api/v1/organizations/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var organizations = await client.GetFromJsonAsync<List<ApiOrganization>>("/api/v1/organizations", ApiFixture.Json, Ct);
        Assert.DoesNotContain(organizations!, o => o.Id == id);
    }

    [Fact]
    public async Task AnOrganizationThatHoldsAccountsIsNotDeletedAndTheAnswerSaysWhatIsLeft()
    {
        using var client = api.Client();
        var acme = await api.OrganizationIdAsync("Acme Corp");

        var response = await client.DeleteAsync($"/api/v1/organizations/{acme}", Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail!;
        Assert.StartsWith("Holds ", detail);
        Assert.Contains("(in Acme Corp and its sub-organizations)", detail);
    }

    [Fact]
    public async Task PermissionGroupsAreListedWithInheritedOnesAndAreCreatedEditedChosenAndDeleted()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var groups = (await client.GetFromJsonAsync<List<ApiPermissionGroupDetails>>($"/api/v1/organizations/{sales}/permission-groups", ApiFixture.Json, Ct))!;
        var standard = groups.Single(g => g.Name == "Standard");
        Assert.True(standard is { Inherited: true, Default: true, DefinedIn: "Acme Corp" });
        Assert.Equal("Defined in Acme Corp — edit it there.", standard.EditRefusal);

        var created = await client.PostAsJsonAsync($"/api/v1/organizations/{sales}/permission-groups", new PermissionGroupRequest("Sales pilots", ["VoiceCalling", "sms"]), Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<ApiOrganizationChange>(ApiFixture.Json, Ct))!.Id!.Value;

        var bad = await client.PatchAsJsonAsync($"/api/v1/permission-groups/{id}", new PermissionGroupRequest(null, ["Teleportation"]), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var edited = await client.PatchAsJsonAsync($"/api/v1/permission-groups/{id}", new PermissionGroupRequest(null, ["Sms", "CallRecording"]), Ct);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/organizations/{sales}/default-permission-group", new DefaultPermissionGroupRequest(id), Ct)).StatusCode);
        groups = (await client.GetFromJsonAsync<List<ApiPermissionGroupDetails>>($"/api/v1/organizations/{sales}/permission-groups", ApiFixture.Json, Ct))!;
        var pilots = groups.Single(g => g.Id == id);
        Assert.True(pilots.Default);
        Assert.Equal(["Sms", "CallRecording"], pilots.Features);
        var refused = await client.DeleteAsync($"/api/v1/permission-groups/{id}", Ct);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("It is the default of Acme Sales; choose another default there first.", (await refused.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);

        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/organizations/{sales}/default-permission-group", new DefaultPermissionGroupRequest(null), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/v1/permission-groups/{id}", Ct)).StatusCode);
        groups = (await client.GetFromJsonAsync<List<ApiPermissionGroupDetails>>($"/api/v1/organizations/{sales}/permission-groups", ApiFixture.Json, Ct))!;
        Assert.True(groups.Single(g => g.Name == "Standard").Default);
    }
}
