using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Batches;
using MultiLine.Tests;
using MultiLine.Core.Admins;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>Batches over HTTP: list, state, rows, report CSV and cancel, each limited to the token's scope.</summary>
[Collection(ApiCollection.Name)]
public sealed class BatchesApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<ApiBatch> ImportIntoSalesAsync(HttpClient client, params string[] users)
    {
        var sales = await api.OrganizationIdAsync("Acme Sales");
        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports", ApiCsv.Body(ApiCsv.Valid(users)), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await api.WaitForBatchAsync(client, (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!.Id);
    }

    [Fact]
    public async Task BatchesAreListedAndFilteredByOrganizationAndState()
    {
        using var client = api.Client();
        var batch = await ImportIntoSalesAsync(client, ApiCsv.Unique("listed"));

        var completed = await client.GetFromJsonAsync<ApiPage<ApiBatch>>($"/api/v1/batches?organizationId={batch.OrganizationId}&state=Completed", ApiFixture.Json, Ct);
        var running = await client.GetFromJsonAsync<ApiPage<ApiBatch>>("/api/v1/batches?state=Running", ApiFixture.Json, Ct);

        Assert.Contains(completed!.Items, b => b.Id == batch.Id);
        Assert.All(completed.Items, b => Assert.Equal((batch.OrganizationId, BatchState.Completed), (b.OrganizationId, b.State)));
        Assert.DoesNotContain(running!.Items, b => b.Id == batch.Id);
    }

    [Fact]
    public async Task BatchShowsCountsTimesAndWhoRanItThroughTheApi()
    {
        using var client = api.Client();

        var batch = await ImportIntoSalesAsync(client, ApiCsv.Unique("timed"));

        Assert.True(batch.IsFinished);
        Assert.Equal(new BatchCounts(1, 1, 0, 0), batch.Counts);
        Assert.NotNull(batch.StartedAtUtc);
        Assert.True(batch.FinishedAtUtc >= batch.StartedAtUtc);
        Assert.Equal("Demo Super Admin (API)", batch.AdminName);
    }

    [Fact]
    public async Task RowsAreListedInInputOrderAndFilteredByOutcome()
    {
        using var client = api.Client();
        string[] users = [ApiCsv.Unique("first"), ApiCsv.Unique("second")];
        var batch = await ImportIntoSalesAsync(client, users);

        var all = await client.GetFromJsonAsync<ApiPage<BatchRowView>>($"/api/v1/batches/{batch.Id}/rows", ApiFixture.Json, Ct);
        var failed = await client.GetFromJsonAsync<ApiPage<BatchRowView>>($"/api/v1/batches/{batch.Id}/rows?outcome=Failed", ApiFixture.Json, Ct);

        Assert.Equal([2, 3], all!.Items.Select(r => r.RowNumber));
        Assert.Equal(users, all.Items.Select(r => r.Username!.ToLowerInvariant()));
        Assert.All(all.Items, r => Assert.Equal(RowOutcome.Succeeded, r.Outcome));
        Assert.Equal(0, failed!.TotalCount);
    }

    [Fact]
    public async Task ReportIsTheBatchOperationsReportCsv()
    {
        using var client = api.Client();
        var user = ApiCsv.Unique("reported");
        var batch = await ImportIntoSalesAsync(client, user);

        var response = await client.GetAsync($"/api/v1/batches/{batch.Id}/report.csv", Ct);

        response.EnsureSuccessStatusCode();
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith($"-{batch.Id}.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("row,firstname,lastname,email address or device", lines[0]);
        Assert.StartsWith($"2,Test,User,{user},", lines[1], StringComparison.OrdinalIgnoreCase);
        Assert.Contains(",Succeeded,", lines[1]);
    }

    [Fact]
    public async Task CancellingAFinishedBatchIs409WithTheReason()
    {
        using var client = api.Client();
        var batch = await ImportIntoSalesAsync(client, ApiCsv.Unique("done"));

        var response = await client.PostAsync($"/api/v1/batches/{batch.Id}/cancel", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("The batch is already completed; there is nothing to cancel.", (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }

    [Fact]
    public async Task CancellingAQueuedBatchIsAcceptedAndRecordedForTheWorker()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        int id;
        await using (var db = api.Factory.CreateDbContext())
        {
            // Claimed by another instance, so this app's worker leaves it alone while the test looks.
            var queued = new BatchOperation
            {
                Kind = BatchKind.ResendInvitations, State = BatchState.Running, AdminName = "Other instance", OrganizationId = sales,
                CreatedAtUtc = DateTime.UtcNow, ClaimedBy = "another-instance", ClaimExpiresAtUtc = DateTime.UtcNow.AddHours(1),
            };
            db.Batches.Add(queued);
            await db.SaveChangesAsync(Ct);
            id = queued.Id;
        }

        var response = await client.PostAsync($"/api/v1/batches/{id}/cancel", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"/api/v1/batches/{id}", response.Headers.Location?.OriginalString);
        await using var check = api.Factory.CreateDbContext();
        var stored = await check.Batches.AsNoTracking().SingleAsync(b => b.Id == id, Ct);
        Assert.True(stored.CancelRequested);
        Assert.Equal("Demo Super Admin (API)", stored.CancelledBy);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/rows")]
    [InlineData("GET", "/report.csv")]
    [InlineData("POST", "/cancel")]
    [InlineData("POST", "/undo")]
    public async Task BatchOutsideTheScopeIs404LikeOneThatDoesNotExist(string method, string suffix)
    {
        using var super = api.Client();
        var batch = await ImportIntoSalesAsync(super, ApiCsv.Unique("foreign"));
        using var scoped = api.Client(api.ScopedToken);

        var foreign = await scoped.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/v1/batches/{batch.Id}{suffix}"), Ct);
        var missing = await scoped.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/v1/batches/999999{suffix}"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(ApiProblems.BatchNotFound, (await foreign.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task UndoingAnImportIs202WithTheNewBatchWhichDeletesItsAccountsAndLinksBothWays()
    {
        using var client = api.Client();
        var user = ApiCsv.Unique("undone");
        var import = await ImportIntoSalesAsync(client, user);

        var response = await client.PostAsync($"/api/v1/batches/{import.Id}/undo", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var undo = (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!;
        Assert.Equal((BatchKind.UndoImport, (int?)import.Id), (undo.Kind, undo.UndoOfBatchId));
        Assert.Equal($"/api/v1/batches/{undo.Id}", response.Headers.Location?.OriginalString);
        var finished = await api.WaitForBatchAsync(client, undo.Id);
        Assert.Equal((BatchState.Completed, 1), (finished.State, finished.Counts.Succeeded));
        var original = await client.GetFromJsonAsync<ApiBatch>($"/api/v1/batches/{import.Id}", ApiFixture.Json, Ct);
        Assert.Equal(undo.Id, original!.UndoneByBatchId);
        await using var db = api.Factory.CreateDbContext();
        Assert.False(await db.Accounts.AnyAsync(a => a.NormalizedUsername == user.ToLowerInvariant(), Ct));

        var again = await client.PostAsync($"/api/v1/batches/{import.Id}/undo", null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(ImportUndo.AlreadyUndone(undo.Id), (await again.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }

    [Fact]
    public async Task UndoingAnImportWithAnActivatedAccountIs409WithHowMany()
    {
        using var client = api.Client();
        var user = ApiCsv.Unique("activated");
        var import = await ImportIntoSalesAsync(client, user, ApiCsv.Unique("waiting"));
        await using (var db = api.Factory.CreateDbContext())
            await db.Accounts.Where(a => a.NormalizedUsername == user.ToLowerInvariant())
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, MultiLine.Core.Accounts.AccountStatus.Active), Ct);

        var response = await client.PostAsync($"/api/v1/batches/{import.Id}/undo", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(ImportUndo.Activated(1), (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
        var batch = await client.GetFromJsonAsync<ApiBatch>($"/api/v1/batches/{import.Id}", ApiFixture.Json, Ct);
        Assert.Null(batch!.UndoneByBatchId);
    }

    [Fact]
    public async Task UndoingAnImportWithoutTheAccountsBulkOperationsPrivilegeIs403AndStoresNothing()
    {
        using var super = api.Client();
        var import = await ImportIntoSalesAsync(super, ApiCsv.Unique("kept"));
        var unique = Guid.NewGuid().ToString("N")[..8];
        int adminId;
        await using (var db = api.Factory.CreateDbContext())
        {
            var role = new Role { Name = $"No bulk {unique}", Privileges = Privileges.All & ~Privileges.AccountsBulkOperations };
            var admin = new Admin { Email = $"nobulk-{unique}@acme.example", NormalizedEmail = $"NOBULK-{unique}@ACME.EXAMPLE", DisplayName = "No Bulk", Role = role, PasswordHash = "x" };
            db.Admins.Add(admin);
            await db.SaveChangesAsync(Ct);
            adminId = admin.Id;
        }
        var token = await api.Factory.Services.GetRequiredService<ApiTokens>().CreateAsync(adminId, "No bulk script", null, TestActors.For(adminId), Ct);
        using var limited = api.Client(token.Secret);

        var response = await limited.PostAsync($"/api/v1/batches/{import.Id}/undo", null, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await limited.GetAsync($"/api/v1/batches/{import.Id}", Ct)).StatusCode);
        await using var check = api.Factory.CreateDbContext();
        Assert.False(await check.Batches.AnyAsync(b => b.UndoOfBatchId == import.Id, Ct));
        Assert.Equal(1, await check.BatchRows.Where(r => r.BatchOperationId == import.Id).CountAsync(r => check.Accounts.Any(a => a.Id == r.AccountId), Ct));
    }
}
