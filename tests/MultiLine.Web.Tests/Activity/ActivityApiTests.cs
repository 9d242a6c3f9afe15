using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Demo;
using MultiLine.Tests;
using MultiLine.Web.Api;
using MultiLine.Web.Tests.Api;

namespace MultiLine.Web.Tests.Activity;

/// <summary>
/// Every API write and download leaves exactly one activity entry, named after the caller, with source API and the
/// client's address; refusals and dry runs leave none; and the activity report answers over the API in the caller's scope.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ActivityApiTests(ApiFixture api)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<long> LastIdAsync()
    {
        await using var db = api.Factory.CreateDbContext();
        return await db.ActivityEntries.MaxAsync(e => (long?)e.Id, Ct) ?? 0;
    }

    /// <summary>The API's entries since <paramref name="after"/>: the batch worker's own (source Batch) are the rows it ran, not the call.</summary>
    private async Task<List<ActivityEntry>> NewApiEntriesAsync(long after)
    {
        await using var db = api.Factory.CreateDbContext();
        return await db.ActivityEntries.Where(e => e.Id > after && e.Source == ActivitySource.Api).OrderBy(e => e.Id).ToListAsync(Ct);
    }

    private async Task<ActivityEntry> ExactlyOneAsync(long after, string action, string? targetId = null)
    {
        var entry = Assert.Single(await NewApiEntriesAsync(after));
        Assert.Equal(action, entry.Action);
        Assert.Equal("Demo Super Admin", entry.AdminName);
        Assert.NotNull(entry.AdminId);
        Assert.True(IPAddress.TryParse(entry.ClientIp, out var address) && IPAddress.IsLoopback(address), $"client IP {entry.ClientIp}");
        if (targetId is not null)
            Assert.Equal(targetId, entry.TargetId);
        return entry;
    }

    private async Task<int> ImportAsync(HttpClient client, string organization, params string[] users)
    {
        var id = await api.OrganizationIdAsync(organization);
        var response = await client.PostAsync($"/api/v1/organizations/{id}/imports", ApiCsv.Body(ApiCsv.Valid(users)), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!.Id;
    }

    [Fact]
    public async Task AnImportLeavesOneEntryNamingTheBatchAndItsCheckLeavesNone()
    {
        using var client = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        var before = await LastIdAsync();

        var check = await client.PostAsync($"/api/v1/organizations/{sales}/imports/validate", ApiCsv.Body(ApiCsv.Valid(ApiCsv.Unique("dry"))), Ct);
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        Assert.Empty(await NewApiEntriesAsync(before));

        var batchId = await ImportAsync(client, "Acme Sales", ApiCsv.Unique("audit"), ApiCsv.Unique("audit"));

        var entry = await ExactlyOneAsync(before, ActivityActions.ImportSubmit, batchId.ToString());
        Assert.Equal((ActivityTargetKind.Batch, sales), (entry.TargetKind, entry.OrganizationId));
        Assert.Contains("2 rows into Acme Sales", entry.Details);
        await api.WaitForBatchAsync(client, batchId);
    }

    [Fact]
    public async Task TheReportAndTheTemplateDownloadsLeaveOneEntryEach()
    {
        using var client = api.Client();
        var batchId = await ImportAsync(client, "Acme Sales", ApiCsv.Unique("report"));
        await api.WaitForBatchAsync(client, batchId);
        var sales = await api.OrganizationIdAsync("Acme Sales");

        var before = await LastIdAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/batches/{batchId}/report.csv", Ct)).StatusCode);
        await ExactlyOneAsync(before, ActivityActions.BatchReportDownload, batchId.ToString());

        before = await LastIdAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/organizations/{sales}/template.csv", Ct)).StatusCode);
        await ExactlyOneAsync(before, ActivityActions.TemplateDownload, sales.ToString());

        // A download refused (no such batch) leaves nothing.
        before = await LastIdAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/batches/999999/report.csv", Ct)).StatusCode);
        Assert.Empty(await NewApiEntriesAsync(before));
    }

    [Fact]
    public async Task ABulkSuspendLeavesOneSubmissionEntryAndTheWorkerOnePerAccount()
    {
        using var client = api.Client();
        var users = new[] { ApiCsv.Unique("bulk"), ApiCsv.Unique("bulk") };
        await api.WaitForBatchAsync(client, await ImportAsync(client, "Acme Sales", users));
        int[] ids;
        await using (var db = api.Factory.CreateDbContext())
            ids = await db.Accounts.Where(a => users.Contains(a.NormalizedUsername)).Select(a => a.Id).ToArrayAsync(Ct);
        var before = await LastIdAsync();

        var response = await client.PostAsJsonAsync("/api/v1/accounts/bulk/suspend", new { accountIds = ids }, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var batch = (await response.Content.ReadFromJsonAsync<ApiBatch>(ApiFixture.Json, Ct))!;
        var entry = await ExactlyOneAsync(before, ActivityActions.BulkSubmit, batch.Id.ToString());
        Assert.Contains("Suspend accounts: 2 accounts", entry.Details);
        await api.WaitForBatchAsync(client, batch.Id);
        await using (var db = api.Factory.CreateDbContext())
        {
            var rows = await db.ActivityEntries.Where(e => e.Id > before && e.Source == ActivitySource.Batch && e.Action == ActivityActions.AccountSuspend).ToListAsync(Ct);
            Assert.Equal(ids.Order(), rows.Select(r => int.Parse(r.TargetId!)).Order());
        }
    }

    [Fact]
    public async Task ARejectedTokenIsNotRecorded()
    {
        var before = await LastIdAsync();
        using var client = api.Client(api.RevokedToken);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/organizations", Ct)).StatusCode);

        Assert.Equal(before, await LastIdAsync());
    }

    [Fact]
    public async Task TheActivityListFiltersByActionAndAScopedCallerSeesOnlyItsSubtree()
    {
        using var super = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        var support = await api.OrganizationIdAsync("Acme Support");
        // One download in each organization: Sales is outside the scoped admin's subtree (Acme Support), Support is inside.
        Assert.Equal(HttpStatusCode.OK, (await super.GetAsync($"/api/v1/organizations/{sales}/template.csv", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await super.GetAsync($"/api/v1/organizations/{support}/template.csv", Ct)).StatusCode);

        var all = await super.GetFromJsonAsync<ApiPage<ApiActivityEntry>>($"/api/v1/activity?action={ActivityActions.TemplateDownload}&pageSize=500", ApiFixture.Json, Ct);
        Assert.All(all!.Items, e => Assert.Equal(ActivityActions.TemplateDownload, e.Action));
        Assert.Contains(all.Items, e => e.OrganizationId == sales);
        Assert.Equal(all.Items.OrderByDescending(e => e.AtUtc).ThenByDescending(e => e.Id).Select(e => e.Id), all.Items.Select(e => e.Id));

        using var scoped = api.Client(api.ScopedToken);
        var mine = await scoped.GetFromJsonAsync<ApiPage<ApiActivityEntry>>($"/api/v1/activity?pageSize=500", ApiFixture.Json, Ct);
        Assert.Contains(mine!.Items, e => e.OrganizationId == support && e.Action == ActivityActions.TemplateDownload);
        Assert.DoesNotContain(mine.Items, e => e.OrganizationId == sales || e.OrganizationId == null);
        Assert.Equal(HttpStatusCode.NotFound, (await scoped.GetAsync($"/api/v1/activity?organizationId={sales}", Ct)).StatusCode);
        // The CSV of the whole scope holds the Support download and not the Sales one.
        var csv = await scoped.GetStringAsync("/api/v1/activity/export.csv", Ct);
        Assert.Contains("# Organization: Acme Support and its sub-organizations (all in your scope)", csv);
        Assert.Contains("multiline-accounts-acme-support.csv", csv);
        Assert.DoesNotContain("multiline-accounts-acme-sales.csv", csv);
        Assert.Equal(HttpStatusCode.NotFound, (await scoped.GetAsync($"/api/v1/activity/export.csv?organizationId={sales}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await scoped.GetAsync("/api/v1/activity?source=Fax", Ct)).StatusCode);
    }

    [Fact]
    public async Task TheActivityExportIsAFormulaSafeCsvWithAHeaderBlockAndIsItselfRecorded()
    {
        using var super = api.Client();
        var sales = await api.OrganizationIdAsync("Acme Sales");
        // An admin name typed at a failed sign-in can be anything; the export must not hand Excel a formula.
        await using (var db = api.Factory.CreateDbContext())
        {
            ActivityLog.Record(db, new ActivityActor(null, "=HYPERLINK(\"http://evil.example\")", "192.0.2.1", ActivitySource.Portal), DateTime.UtcNow,
                ActivityActions.SignInFailure, sales, ActivityTargetKind.Admin, null, "x@example.com", "Unknown email address");
            await db.SaveChangesAsync(Ct);
        }
        var before = await LastIdAsync();

        var response = await super.GetAsync($"/api/v1/activity/export.csv?organizationId={sales}&timeZone=Europe/Rome", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var fileName = response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName;
        Assert.Matches(@"^administrator-activity-acme-sales-\d{4}-\d{2}-\d{2}\.csv$", fileName!.Trim('"'));
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(Encoding.UTF8.GetPreamble(), bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n");
        Assert.Equal("# Report: MultiLine administrator activity", lines[0]);
        Assert.StartsWith("# Organization: Acme Sales and its sub-organizations", lines[2]);
        Assert.Equal(string.Join(",", ActivityExport.Columns), lines[5]);
        Assert.Contains(lines, l => l.Contains("'=HYPERLINK", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("=", StringComparison.Ordinal) || l.Contains(",=", StringComparison.Ordinal));
        var entry = await ExactlyOneAsync(before, ActivityActions.ActivityExport);
        Assert.Equal((ActivityTargetKind.Report, sales), (entry.TargetKind, entry.OrganizationId));
        // The export was recorded before it was written, so the file lists its own download.
        Assert.Contains(lines, l => l.Contains("Downloaded administrator activity (CSV)", StringComparison.Ordinal));
    }
}
