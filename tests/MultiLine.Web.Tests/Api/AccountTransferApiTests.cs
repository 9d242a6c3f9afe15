using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Web.Api;

namespace MultiLine.Web.Tests.Api;

/// <summary>The accounts export and the update from CSV over HTTP: the same filters, file, rules and batch as the Accounts page.</summary>
[Collection(ApiCollection.Name)]
public sealed class AccountTransferApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Account> ActiveAccountAsync(string organization, int index = 0)
    {
        await using var db = api.Factory.CreateDbContext();
        // Active accounts: the other API tests move and invite pending ones.
        return await db.Accounts.Where(a => a.Organization!.Name == organization && a.Status == AccountStatus.Active).OrderBy(a => a.Id).Skip(index).FirstAsync(Ct);
    }

    [Fact]
    public async Task ExportTakesTheListsFiltersAndAScopedTokenExportsOnlyItsScope()
    {
        using var client = api.Client(api.ScopedToken);
        var emea = await api.OrganizationIdAsync("Support EMEA");
        var health = await api.OrganizationIdAsync("Health Monitor");

        var all = await client.GetAsync("/api/v1/accounts/export.csv?timeZone=America/New_York", Ct);
        var filtered = await client.GetStringAsync($"/api/v1/accounts/export.csv?organizationId={emea}&sort=Name", Ct);
        var foreign = await client.GetAsync($"/api/v1/accounts/export.csv?organizationId={health}", Ct);
        var badSort = await client.GetAsync("/api/v1/accounts/export.csv?sort=Password", Ct);

        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        var text = await all.Content.ReadAsStringAsync(Ct);
        Assert.Contains(" America/New_York (UTC-05:00)", text);
        await using var db = api.Factory.CreateDbContext();
        var inScope = await db.Accounts.CountAsync(a => a.Organization!.Name == "Acme Support" || a.Organization!.Name == "Support EMEA", Ct);
        Assert.Equal(inScope, text.Split("\r\n").SkipWhile(l => !l.StartsWith("firstname,", StringComparison.Ordinal)).Skip(1).Count(l => l.Length > 0));
        Assert.DoesNotContain("healthmonitor.example", text);
        Assert.All(filtered.Split("\r\n").SkipWhile(l => !l.StartsWith("firstname,", StringComparison.Ordinal)).Skip(1).Where(l => l.Length > 0),
            line => Assert.Equal("Support EMEA", line.Split(',')[3]));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badSort.StatusCode);
    }

    [Fact]
    public async Task AnUpdateIsValidatedRowByRowThenRunsAsABatchThatChangesTheAccount()
    {
        using var client = api.Client(api.ScopedToken);
        var account = await ActiveAccountAsync("Acme Support");
        var newLanguage = account.Language == Language.German ? "Spanish" : "German";
        var csv = "email address or device,permission_group,language,status\r\n"
            + $"{account.Username},Messaging only,{newLanguage},Suspended\r\n"
            + "someone@healthmonitor.example,Standard,Italian,\r\n";

        var validation = await (await client.PostAsync("/api/v1/accounts/updates/validate", ApiCsv.Body(csv), Ct)).Content.ReadFromJsonAsync<ApiUpdatePreview>(ApiFixture.Json, Ct);
        var response = await client.PostAsync("/api/v1/accounts/updates?fileName=support-update.csv", ApiCsv.Body(csv), Ct);

        Assert.Equal(new AccountUpdateCounts(2, 1, 0, 1), validation!.Counts);
        Assert.Contains(validation.Rows[0].Changes, c => c == new ApiFieldChange("User Permissions", "Support agents", "Messaging only"));
        Assert.Equal("email address or device: \"someone@healthmonitor.example\": No account with this username exists in your scope.", validation.Rows[1].Reason);
        Assert.Contains(validation.FileWarnings, w => w.Text.StartsWith("Column status is read-only", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var queued = await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct);
        var batch = await api.WaitForBatchAsync(client, queued!.Id);
        Assert.Equal((BatchKind.Update, "support-update.csv", 1, 1), (batch.Kind, batch.FileName, batch.Counts.Succeeded, batch.Counts.Failed));
        await using var db = api.Factory.CreateDbContext();
        var updated = await db.Accounts.Include(a => a.PermissionGroup).SingleAsync(a => a.Id == account.Id, Ct);
        Assert.Equal(("Messaging only", newLanguage, AccountStatus.Active), (updated.PermissionGroup!.Name, updated.Language.ToString(), updated.Status));
    }

    [Fact]
    public async Task AnUpdateThatChangesNothingIs422WithThePreview()
    {
        using var client = api.Client(api.ScopedToken);
        var account = await ActiveAccountAsync("Acme Support", index: 1);

        var response = await client.PostAsync("/api/v1/accounts/updates", ApiCsv.Body($"email address or device,language\r\n{account.Username},{account.Language}\r\n"), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("No row of the file changes an account: there is nothing to update.", problem.GetProperty("detail").GetString());
        Assert.Equal(1, problem.GetProperty("preview").GetProperty("counts").GetProperty("unchanged").GetInt32());
    }
}
