using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>Validate and import a CSV over HTTP: the same reader, rules, limits and words as the Add Account dialog.</summary>
[Collection(ApiCollection.Name)]
public sealed class ImportsApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ValidateReportsProblemsPerRowAndColumnAndWritesNothing()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        var good = ApiCsv.Unique("good");
        var csv = ApiCsv.Valid(good) + $"Bad,Row,{ApiCsv.Unique("bad")},No,,auto,yes,,,English\r\n";

        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports/validate", ApiCsv.Body(csv), Ct);

        response.EnsureSuccessStatusCode();
        var result = await response.Content.ReadFromJsonAsync<ApiValidation>(ApiFixture.Json, Ct);
        Assert.Equal(new(2, 1, 1, 0), result!.Counts);
        var problem = Assert.Single(result.Problems);
        Assert.Equal((3, "monitor_sms", "yes"), (problem.Row!.Value, problem.Column, problem.Value));
        Assert.Equal("Row 3, monitor_sms: \"yes\" is not one of on, off.", problem.Text);
        Assert.True(result.CanImport);
        Assert.Equal(1, result.Capacity!.RowsWithoutNumber);
        await using var db = api.Factory.CreateDbContext();
        Assert.False(await db.Accounts.AnyAsync(a => a.NormalizedUsername == good, Ct));
    }

    [Fact]
    public async Task ValidateProposesRepairsOfPhoneNumbersASpreadsheetDamagedAndAppliesNone()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        var csv = ApiCsv.Valid(ApiCsv.Unique("rep")) +
            $"Lost,Plus,{ApiCsv.Unique("plus")},No,,auto,on,14155550100,,English\r\n" +
            $"Lost,Digits,{ApiCsv.Unique("sci")},No,1.41555E+10,auto,on,,,English\r\n";

        var result = await (await client.PostAsync($"/api/v1/organizations/{sales}/imports/validate", ApiCsv.Body(csv), Ct)).Content.ReadFromJsonAsync<ApiValidation>(ApiFixture.Json, Ct);

        Assert.Equal(2, result!.Counts.Invalid);
        Assert.Equal([(3, "forwarding_number", "14155550100", "+14155550100"), (4, "multiline_number", "1.41555E+10", null)],
            result.Repairs.Select(r => (r.Row, r.Column, r.Original, r.Proposed)));
        Assert.Equal(Core.Imports.SpreadsheetDamage.DigitsLost, result.Repairs[1].Reason);
    }

    [Fact]
    public async Task ValidateAcceptsTheFileAsAMultipartField()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        using var form = new MultipartFormDataContent { { ApiCsv.Body(ApiCsv.Valid(ApiCsv.Unique("multi"))), "file", "accounts.csv" } };

        var result = await (await client.PostAsync($"/api/v1/organizations/{sales}/imports/validate", form, Ct)).Content.ReadFromJsonAsync<ApiValidation>(ApiFixture.Json, Ct);

        Assert.Equal(1, result!.Counts.Valid);
        Assert.Empty(result.FileErrors);
    }

    [Fact]
    public async Task ImportAnswers202WithLocationAndTheBatchCreatesTheAccounts()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        string[] users = [ApiCsv.Unique("ada"), ApiCsv.Unique("alan")];

        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports?fileName=hr-export.csv", ApiCsv.Body(ApiCsv.Valid(users)), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct);
        Assert.Equal($"/api/v1/batches/{queued!.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal((BatchKind.Import, "hr-export.csv", 2), (queued.Kind, queued.FileName, queued.Counts.Total));
        var finished = await api.WaitForBatchAsync(client, queued.Id);
        Assert.Equal(BatchState.Completed, finished.State);
        Assert.Equal(2, finished.Counts.Succeeded);
        await using var db = api.Factory.CreateDbContext();
        var created = await db.Accounts.Where(a => users.Contains(a.NormalizedUsername)).ToListAsync(Ct);
        Assert.Equal(2, created.Count);
        Assert.All(created, a => { Assert.Equal(sales, a.OrganizationId); Assert.Equal(AccountStatus.NotInvited, a.Status); });
    }

    [Fact]
    public async Task FileThatCannotBeReadIsRefusedWith400AndItsProblems()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports", ApiCsv.Body("name;phone\r\nJane;123\r\n"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.NotEmpty(problem.GetProperty("problems").EnumerateArray());
        var error = problem.GetProperty("problems").EnumerateArray().First(p => p.GetProperty("severity").GetString() == "Error");
        Assert.Contains(error.GetProperty("text").GetString()!, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task FileWithInvalidRowsIsRefusedWith422UnlessOnlyValidRowsAreAskedFor()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        var good = ApiCsv.Unique("valid");
        var csv = ApiCsv.Valid(good) + $"Bad,Row,{ApiCsv.Unique("invalid")},No,,sometimes,on,,,English\r\n";

        var refused = await client.PostAsync($"/api/v1/organizations/{sales}/imports", ApiCsv.Body(csv), Ct);
        var accepted = await client.PostAsync($"/api/v1/organizations/{sales}/imports?onlyValidRows=true", ApiCsv.Body(csv), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.StartsWith("1 row of the file has problems.", problem.GetProperty("detail").GetString());
        Assert.Equal("monitor_calls", problem.GetProperty("problems")[0].GetProperty("column").GetString());
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var batch = await api.WaitForBatchAsync(client, (await accepted.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!.Id);
        Assert.Equal((BatchState.CompletedWithErrors, 1, 1), (batch.State, batch.Counts.Succeeded, batch.Counts.Failed));
    }

    [Fact]
    public async Task ImportAndInviteWithoutEnoughFreeCapacityIs409WithTheCapacityMessage()
    {
        using var client = api.Client(api.ScopedToken);
        var emea = await api.OrganizationIdAsync("Support EMEA");
        var csv = ApiCsv.Valid(Enumerable.Range(0, 8).Select(i => ApiCsv.Unique($"emea{i}")).ToArray());

        var response = await client.PostAsync($"/api/v1/organizations/{emea}/imports?invite=true", ApiCsv.Body(csv), Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.StartsWith("8 rows without a number; ", problem.GetProperty("detail").GetString());
        Assert.EndsWith("Import & Invite needs free capacity for every row without a number: use Import, or add numbers to the organization first.", problem.GetProperty("detail").GetString());
        Assert.False(problem.GetProperty("capacity").GetProperty("sufficientForInvite").GetBoolean());
    }

    [Fact]
    public async Task FileOverTheUploadLimitIs413WithTheDialogsWords()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        var csv = ApiCsv.Header + "\r\n" + new string('x', (int)ApiFixture.MaxFileBytes + 10);

        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports/validate", ApiCsv.Body(csv), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail;
        Assert.StartsWith("\"api-upload.csv\" is larger than 64 KB, the most one upload can hold.", detail);
        Assert.EndsWith("Split it into smaller files.", detail);
    }

    [Fact]
    public async Task RequestFarOverTheLimitIsCutOffWith413()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var response = await client.PostAsync($"/api/v1/organizations/{sales}/imports", ApiCsv.Body(new string('x', 1024 * 1024)), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("imports/validate")]
    [InlineData("imports")]
    public async Task ScopedAdminGets404UploadingToAnOrganizationOutsideTheirScope(string path)
    {
        using var client = api.Client(api.ScopedToken);
        var health = await api.OrganizationIdAsync("Health Monitor");

        var response = await client.PostAsync($"/api/v1/organizations/{health}/{path}", ApiCsv.Body(ApiCsv.Valid(ApiCsv.Unique("x"))), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ApiProblems.OrganizationNotFound, (await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct))!.Detail);
    }
}
