using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>One account over HTTP: read with its history, edit, suspend, unsuspend, delete; scope answers 404.</summary>
[Collection(ApiCollection.Name)]
public sealed class AccountLifeApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<int> ImportAsync(HttpClient client, string organization)
    {
        var id = await api.OrganizationIdAsync(organization);
        var user = ApiCsv.Unique("life");
        var response = await client.PostAsync($"/api/v1/organizations/{id}/imports", ApiCsv.Body(ApiCsv.Valid([user])), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await api.WaitForBatchAsync(client, (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!.Id);
        await using var db = api.Factory.CreateDbContext();
        return await db.Accounts.Where(a => a.NormalizedUsername == user).Select(a => a.Id).SingleAsync(Ct);
    }

    private static async Task<string?> DetailAsync(HttpResponseMessage response) => (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail;

    [Fact]
    public async Task AnAccountIsReadEditedSuspendedUnsuspendedAndDeletedWithOneActivityEntryEach()
    {
        using var client = api.Client();
        var id = await ImportAsync(client, "Acme Sales");

        var read = await client.GetFromJsonAsync<JsonElement>($"/api/v1/accounts/{id}", Ct);
        Assert.Equal("NotInvited", read.GetProperty("status").GetString());
        Assert.StartsWith("Imported by batch #", read.GetProperty("history")[0].GetProperty("what").GetString());

        var refused = await client.PatchAsJsonAsync($"/api/v1/accounts/{id}", new EditAccountRequest(FirstName: "Janet", MonitorSms: "yes"), ApiFixture.Json, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("\"yes\" is not one of on, off.", problem.GetProperty("problems")[0].GetProperty("message").GetString());

        var edited = await client.PatchAsJsonAsync($"/api/v1/accounts/{id}", new EditAccountRequest(FirstName: "Janet"), ApiFixture.Json, Ct);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal("Janet", (await edited.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("account").GetProperty("firstName").GetString());

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/accounts/{id}/suspend", null, Ct)).StatusCode);
        var again = await client.PostAsync($"/api/v1/accounts/{id}/suspend", null, Ct);
        Assert.Equal((HttpStatusCode.Conflict, "The account is already suspended."), (again.StatusCode, await DetailAsync(again)));
        var unsuspended = await client.PostAsync($"/api/v1/accounts/{id}/unsuspend", null, Ct);
        Assert.Equal("NotInvited", (await unsuspended.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("account").GetProperty("status").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await client.DeleteAsync($"/api/v1/accounts/{id}", Ct)).StatusCode);
        var untagged = await client.DeleteAsync($"/api/v1/accounts/{id}?number=reserve", Ct);
        Assert.Equal((HttpStatusCode.BadRequest, "tag: A reservation needs a tag, such as PORTED."), (untagged.StatusCode, await DetailAsync(untagged)));
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/v1/accounts/{id}?number=release", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/accounts/{id}", Ct)).StatusCode);

        await using var db = api.Factory.CreateDbContext();
        var key = AccountLifecycle.Key(id);
        var entries = await db.ActivityEntries.Where(e => e.TargetKind == ActivityTargetKind.Account && e.TargetId == key).OrderBy(e => e.Id).ToListAsync(Ct);
        Assert.Equal([ActivityActions.AccountEdit, ActivityActions.AccountSuspend, ActivityActions.AccountUnsuspend, ActivityActions.AccountDelete], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal((ActivitySource.Api, "Demo Super Admin"), (e.Source, e.AdminName)));
        Assert.All(entries, e => Assert.False(string.IsNullOrEmpty(e.ClientIp)));
    }

    [Fact]
    public async Task AnAccountOutsideTheScopeIs404WithTheWordsOfOneThatDoesNotExistAndNothingChanges()
    {
        using var super = api.Client();
        var foreign = await ImportAsync(super, "Health Monitor");
        using var client = api.Client(api.ScopedToken);

        var answers = new[]
        {
            await client.GetAsync($"/api/v1/accounts/{foreign}", Ct),
            await client.PatchAsJsonAsync($"/api/v1/accounts/{foreign}", new EditAccountRequest(FirstName: "Mallory"), ApiFixture.Json, Ct),
            await client.PostAsync($"/api/v1/accounts/{foreign}/suspend", null, Ct),
            await client.PostAsync($"/api/v1/accounts/{foreign}/unsuspend", null, Ct),
            await client.DeleteAsync($"/api/v1/accounts/{foreign}?number=release", Ct),
            await client.GetAsync("/api/v1/accounts/999999999", Ct),
        };

        foreach (var answer in answers)
            Assert.Equal((HttpStatusCode.NotFound, AccountLifecycle.NotFoundMessage), (answer.StatusCode, await DetailAsync(answer)));
        await using var db = api.Factory.CreateDbContext();
        var account = await db.Accounts.SingleAsync(a => a.Id == foreign, Ct);
        Assert.Equal(AccountStatus.NotInvited, account.Status);
        Assert.NotEqual("Mallory", account.FirstName);
    }

    [Fact]
    public async Task APatchChangesOnlyWhatItSendsAndAnEmptyNumberGivesItBack()
    {
        using var client = api.Client();
        var id = await ImportAsync(client, "Acme Sales");
        await using var db = api.Factory.CreateDbContext();
        var organization = await db.Accounts.Where(a => a.Id == id).Select(a => a.OrganizationId).SingleAsync(Ct);
        var free = await db.Numbers.Where(n => n.OrganizationId == organization && n.State == Core.Numbers.NumberState.Available && n.AccountId == null)
            .OrderBy(n => n.E164).Select(n => n.E164).FirstAsync(Ct);

        var given = await client.PatchAsJsonAsync($"/api/v1/accounts/{id}", new EditAccountRequest(MultiLineNumber: free), ApiFixture.Json, Ct);
        var account = (await given.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("account");
        Assert.Equal((free, "Test"), (account.GetProperty("number").GetProperty("e164").GetString(), account.GetProperty("firstName").GetString()));

        var cleared = await client.PatchAsJsonAsync($"/api/v1/accounts/{id}", new EditAccountRequest(MultiLineNumber: ""), ApiFixture.Json, Ct);
        Assert.Equal(JsonValueKind.Null, (await cleared.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("account").GetProperty("number").ValueKind);
        var number = await db.Numbers.AsNoTracking().SingleAsync(n => n.E164 == free, Ct);
        Assert.Equal((Core.Numbers.NumberState.Available, (int?)null), (number.State, number.AccountId));
    }

    [Fact]
    public async Task AReportsOnlyTokenCannotChangeAnAccount()
    {
        using var super = api.Client();
        var id = await ImportAsync(super, "Acme Sales");
        using var client = api.Client(api.ReportsToken);

        var response = await client.PostAsync($"/api/v1/accounts/{id}/suspend", null, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
