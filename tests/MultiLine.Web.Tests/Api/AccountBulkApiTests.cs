using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>Move and resend over HTTP: the Move dialog's plan and words, batches, and scope.</summary>
[Collection(ApiCollection.Name)]
public sealed class AccountBulkApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Imports fresh accounts into an organization, so each test owns the accounts it acts on.</summary>
    private async Task<int[]> ImportAsync(HttpClient client, string organization, int count)
    {
        var id = await api.OrganizationIdAsync(organization);
        var users = Enumerable.Range(0, count).Select(i => ApiCsv.Unique($"bulk{i}")).ToArray();
        var response = await client.PostAsync($"/api/v1/organizations/{id}/imports", ApiCsv.Body(ApiCsv.Valid(users)), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await api.WaitForBatchAsync(client, (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!.Id);
        await using var db = api.Factory.CreateDbContext();
        return await db.Accounts.Where(a => users.Contains(a.NormalizedUsername)).Select(a => a.Id).ToArrayAsync(Ct);
    }

    [Fact]
    public async Task MoveAnswers202AndTheBatchMovesThePendingAccounts()
    {
        using var client = api.Client();
        var ids = await ImportAsync(client, "Acme Sales", 2);
        var acme = await api.OrganizationIdAsync("Acme Corp");

        var response = await client.PostAsJsonAsync("/api/v1/accounts/move", new MoveAccountsRequest(ids, acme), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batch = await api.WaitForBatchAsync(client, (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!.Id);
        Assert.Equal((BatchKind.Move, BatchState.Completed, 2), (batch.Kind, batch.State, batch.Counts.Succeeded));
        await using var db = api.Factory.CreateDbContext();
        Assert.All(await db.Accounts.Where(a => ids.Contains(a.Id)).ToListAsync(Ct), a => Assert.Equal(acme, a.OrganizationId));
    }

    [Fact]
    public async Task MoveBeyondTheDestinationsCapacityIs409WithTheMoveDialogsExactMessage()
    {
        using var client = api.Client(api.ScopedToken);
        var ids = await ImportAsync(client, "Acme Support", 6);
        var emea = await api.OrganizationIdAsync("Support EMEA");

        var response = await client.PostAsJsonAsync("/api/v1/accounts/move", new MoveAccountsRequest(ids, emea), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(MovePlan.NotEnoughNumbers, (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
        Assert.Equal("Unable to move account(s). You do not have enough numbers available in the selected organization", MovePlan.NotEnoughNumbers);
    }

    [Fact]
    public async Task MovingAnAccountOutsideTheScopeIs404AndMovesNothing()
    {
        using var super = api.Client();
        var foreign = await ImportAsync(super, "Health Monitor", 1);
        using var client = api.Client(api.ScopedToken);
        var own = await ImportAsync(client, "Acme Support", 1);
        var emea = await api.OrganizationIdAsync("Support EMEA");

        var response = await client.PostAsJsonAsync("/api/v1/accounts/move", new MoveAccountsRequest([.. own, .. foreign], emea), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal($"No account with id {foreign[0]} exists in your scope.", (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }

    [Fact]
    public async Task MovingToAnOrganizationOutsideTheScopeIs404()
    {
        using var client = api.Client(api.ScopedToken);
        var own = await ImportAsync(client, "Acme Support", 1);
        var health = await api.OrganizationIdAsync("Health Monitor");

        var response = await client.PostAsJsonAsync("/api/v1/accounts/move", new MoveAccountsRequest(own, health), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ApiProblems.OrganizationNotFound, (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }

    [Fact]
    public async Task MoveWithoutAccountsOrWithBrokenJsonIs400Problem()
    {
        using var client = api.Client();

        var empty = await client.PostAsJsonAsync("/api/v1/accounts/move", new MoveAccountsRequest([], 1), ApiFixture.Json, Ct);
        var broken = await client.PostAsync("/api/v1/accounts/move", new StringContent("{accountIds:", System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("Select at least one account: accountIds is empty.", (await empty.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.Equal("application/problem+json", broken.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ResendInvitationsAnswers202WithABatchOfTheSelectedAccounts()
    {
        using var client = api.Client();
        var ids = await ImportAsync(client, "Acme Sales", 2);

        var response = await client.PostAsJsonAsync("/api/v1/accounts/resend-invitations", new ResendInvitationsRequest(ids), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct);
        Assert.Equal($"/api/v1/batches/{queued!.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal((BatchKind.ResendInvitations, 2), (queued.Kind, queued.Counts.Total));
        var finished = await api.WaitForBatchAsync(client, queued.Id);
        Assert.Equal(2, finished.Counts.Processed);
    }

    [Fact]
    public async Task ResendForAnAccountOutsideTheScopeIs404()
    {
        using var super = api.Client();
        var foreign = await ImportAsync(super, "Health Monitor", 1);
        using var client = api.Client(api.ScopedToken);

        var response = await client.PostAsJsonAsync("/api/v1/accounts/resend-invitations", new ResendInvitationsRequest(foreign), ApiFixture.Json, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
