using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Numbers;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>Adding, allocating, withdrawing and reserving numbers, and utilization, through the API; each limited to the token's scope.</summary>
[Collection(ApiCollection.Name)]
public sealed class NumbersApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("detail").GetString()!;

    [Fact]
    public async Task AListIsCheckedAddedAllocatedToASubOrganizationAndWithdrawnAgain()
    {
        using var client = api.Client();
        var support = await api.OrganizationIdAsync("Acme Support");
        var emea = await api.OrganizationIdAsync("Support EMEA");

        var dryRun = await client.PostAsJsonAsync($"/api/v1/organizations/{support}/numbers", new AddNumbersRequest("+19765550100,+19765550101,+19765550102\n+19765550100", DryRun: true), Ct);
        var preview = (await dryRun.Content.ReadFromJsonAsync<ApiNumberAddition>(ApiFixture.Json, Ct))!;
        var added = await client.PostAsJsonAsync($"/api/v1/organizations/{support}/numbers", new AddNumbersRequest("+19765550100,+19765550101,+19765550102"), Ct);
        var allocated = await client.PostAsJsonAsync($"/api/v1/organizations/{support}/numbers/allocate", new AllocateNumbersRequest(emea, "+1976555", 3), Ct);
        var tooMany = await client.PostAsJsonAsync($"/api/v1/organizations/{emea}/numbers/withdraw", new PickNumbersRequest(null, "+1976555", 4), Ct);
        var withdrawn = await client.PostAsJsonAsync($"/api/v1/organizations/{emea}/numbers/withdraw", new PickNumbersRequest(["+19765550100", "+19765550101", "+19765550102"]), Ct);

        Assert.Equal((0, 3, "3 numbers will be added to Acme Support, 1 refused."), (preview.Added, preview.ToAdd, preview.Summary));
        Assert.Equal("+19765550100 is also on line 1.", Assert.Single(preview.Refused).Reason);
        Assert.Equal(3, (await added.Content.ReadFromJsonAsync<ApiNumberAddition>(ApiFixture.Json, Ct))!.Added);
        Assert.Equal(HttpStatusCode.OK, allocated.StatusCode);
        Assert.Equal("3 numbers starting +1976555 allocated from Acme Support to Support EMEA (+19765550100 to +19765550102).",
            (await allocated.Content.ReadFromJsonAsync<ApiNumberMove>(ApiFixture.Json, Ct))!.Description);
        Assert.Equal(HttpStatusCode.Conflict, tooMany.StatusCode);
        Assert.Equal("Only unused numbers can be withdrawn: Support EMEA has only 3 unused numbers starting +1976555; you asked for 4.", await DetailAsync(tooMany));
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        await using var db = api.Factory.CreateDbContext();
        Assert.Equal(3, await db.Numbers.CountAsync(n => n.E164.StartsWith("+1976555") && n.OrganizationId == support, Ct));
        var sources = await db.ActivityEntries.Where(e => e.Details!.Contains("+1976555")).Select(e => new { e.Action, e.Source }).ToListAsync(Ct);
        Assert.Equal([ActivityActions.NumbersAdd, ActivityActions.NumbersAllocate, ActivityActions.NumbersWithdraw], sources.Select(s => s.Action).Order());
        Assert.All(sources, s => Assert.Equal(ActivitySource.Api, s.Source));
    }

    [Fact]
    public async Task AScopedAdminCannotAllocateFromOrWithdrawToAnOrganizationOutsideItsScope()
    {
        using var client = api.Client(api.ScopedToken);
        var acme = await api.OrganizationIdAsync("Acme Corp");
        var support = await api.OrganizationIdAsync("Acme Support");

        var allocate = await client.PostAsJsonAsync($"/api/v1/organizations/{acme}/numbers/allocate", new AllocateNumbersRequest(support, "", 1), Ct);
        var withdraw = await client.PostAsJsonAsync($"/api/v1/organizations/{support}/numbers/withdraw", new PickNumbersRequest(null, "", 1), Ct);
        var utilization = await client.GetAsync($"/api/v1/organizations/{acme}/number-utilization", Ct);

        Assert.Equal(HttpStatusCode.NotFound, allocate.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, withdraw.StatusCode);
        Assert.Equal("The parent organization of Acme Support is outside your scope; numbers cannot be withdrawn to it.", await DetailAsync(withdraw));
        Assert.Equal(HttpStatusCode.NotFound, utilization.StatusCode);
    }

    [Fact]
    public async Task UtilizationIsReadAndItsThresholdSet()
    {
        using var client = api.Client();
        var health = await api.OrganizationIdAsync("Health Monitor");

        var set = await client.PutAsJsonAsync($"/api/v1/organizations/{health}/number-utilization", new UtilizationThresholdRequest(95), Ct);
        var bad = await client.PutAsJsonAsync($"/api/v1/organizations/{health}/number-utilization", new UtilizationThresholdRequest(120), Ct);
        var read = (await client.GetFromJsonAsync<NumberUtilization>($"/api/v1/organizations/{health}/number-utilization", ApiFixture.Json, Ct))!;

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(("Health Monitor", 95), (read.OrganizationName, read.ThresholdPercent));
        Assert.True(read.Total > 0);
        Assert.Equal(read.Total, read.Available + read.Reserved + read.Assigned + read.Registered + read.AllocatedToSubOrganizations);
    }
}
