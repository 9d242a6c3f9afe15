using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>POST /api/v1/accounts/bulk/{action}: on ids or on a filter evaluated when the batch is stored.</summary>
[Collection(ApiCollection.Name)]
public sealed class BulkAccountsApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Imports fresh accounts whose usernames share <paramref name="marker"/>, so a search finds exactly them.</summary>
    private async Task<int[]> ImportAsync(HttpClient client, string organization, string marker, int count)
    {
        var id = await api.OrganizationIdAsync(organization);
        var users = Enumerable.Range(0, count).Select(i => ApiCsv.Unique($"{marker}{i}")).ToArray();
        var response = await client.PostAsync($"/api/v1/organizations/{id}/imports", ApiCsv.Body(ApiCsv.Valid(users)), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await api.WaitForBatchAsync(client, (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!.Id);
        await using var db = api.Factory.CreateDbContext();
        return await db.Accounts.Where(a => users.Contains(a.NormalizedUsername)).OrderBy(a => a.Id).Select(a => a.Id).ToArrayAsync(Ct);
    }

    private static string Marker() => "b" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task SuspendOnAFilterAnswers202AndSuspendsEveryMatchingAccount()
    {
        using var client = api.Client();
        var marker = Marker();
        var ids = await ImportAsync(client, "Acme Sales", marker, 3);

        var response = await client.PostAsJsonAsync("/api/v1/accounts/bulk/suspend", new BulkAccountsRequest(Filter: new AccountFilter(Search: marker)), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batch = await api.WaitForBatchAsync(client, (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!.Id);
        Assert.Equal((BatchKind.Suspend, BatchState.Completed, 3, 3), (batch.Kind, batch.State, batch.Counts.Total, batch.Counts.Succeeded));
        await using var db = api.Factory.CreateDbContext();
        Assert.All(await db.Accounts.Where(a => ids.Contains(a.Id)).ToListAsync(Ct), a => Assert.Equal(AccountStatus.Suspended, a.Status));
    }

    [Fact]
    public async Task EditSettingsOnIdsGivesEveryAccountTheSettingsSent()
    {
        using var client = api.Client();
        var ids = await ImportAsync(client, "Acme Sales", Marker(), 2);

        var response = await client.PostAsJsonAsync("/api/v1/accounts/bulk/edit-settings",
            new BulkAccountsRequest(AccountIds: ids, Settings: new BulkAccountSettings(MonitorCalls: "auto", Language: "German")), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batch = await api.WaitForBatchAsync(client, (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!.Id);
        Assert.Equal((BatchKind.EditSettings, 2), (batch.Kind, batch.Counts.Succeeded));
        await using var db = api.Factory.CreateDbContext();
        Assert.All(await db.Accounts.Where(a => ids.Contains(a.Id)).ToListAsync(Ct), a => Assert.Equal((MonitorCalls.Auto, Language.German), (a.MonitorCalls, a.Language)));
    }

    [Fact]
    public async Task DeleteWithoutANumberChoiceIs400AndDeletesNothing()
    {
        using var client = api.Client();
        var ids = await ImportAsync(client, "Acme Sales", Marker(), 1);

        var response = await client.PostAsJsonAsync("/api/v1/accounts/bulk/delete", new BulkAccountsRequest(AccountIds: ids), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("number: say what becomes of the accounts' numbers", (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
        await using var db = api.Factory.CreateDbContext();
        Assert.True(await db.Accounts.AnyAsync(a => a.Id == ids[0], Ct));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public async Task EitherIdsOrAFilterIsSent(bool ids, bool filter)
    {
        using var client = api.Client();

        var response = await client.PostAsJsonAsync("/api/v1/accounts/bulk/unsuspend",
            new BulkAccountsRequest(AccountIds: ids ? [1] : null, Filter: filter ? new AccountFilter() : null), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Send either accountIds or filter, not both and not neither.", (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }

    [Fact]
    public async Task AFilterOnAnOrganizationOutsideTheScopeIs404AndAFilterMatchingNothingInScopeIs422()
    {
        using var super = api.Client();
        var marker = Marker();
        await ImportAsync(super, "Health Monitor", marker, 1);
        var health = await api.OrganizationIdAsync("Health Monitor");
        using var client = api.Client(api.ScopedToken);

        var foreign = await client.PostAsJsonAsync("/api/v1/accounts/bulk/suspend", new BulkAccountsRequest(Filter: new AccountFilter(OrganizationId: health)), ApiFixture.Json, Ct);
        var nothing = await client.PostAsJsonAsync("/api/v1/accounts/bulk/suspend", new BulkAccountsRequest(Filter: new AccountFilter(Search: marker)), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, nothing.StatusCode);
        Assert.Equal(AccountBatchSubmission.NothingMatches, (await nothing.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
        await using var db = api.Factory.CreateDbContext();
        Assert.False(await db.Accounts.AnyAsync(a => a.NormalizedUsername.StartsWith(marker) && a.Status == AccountStatus.Suspended, Ct));
    }

    [Fact]
    public async Task TheReportsOnlyAdminCannotRunBulkActions()
    {
        using var client = api.Client(api.ReportsToken);

        var response = await client.PostAsJsonAsync("/api/v1/accounts/bulk/suspend", new BulkAccountsRequest(Filter: new AccountFilter()), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
