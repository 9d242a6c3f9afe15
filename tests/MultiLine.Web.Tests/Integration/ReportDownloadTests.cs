using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Demo;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

public sealed class ReportDownloadTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private async Task<int> AddFinishedBatchAsync(string organization)
    {
        await using var db = portal.Factory.CreateDbContext();
        var organizationId = await db.Organizations.Where(o => o.Name == organization).Select(o => o.Id).SingleAsync();
        var batch = new BatchOperation
        {
            Kind = BatchKind.Import, State = BatchState.Completed, AdminName = "Test", OrganizationId = organizationId, TotalRows = 1, Succeeded = 1,
            CreatedAtUtc = new DateTime(2026, 11, 24, 8, 0, 0, DateTimeKind.Utc), FinishedAtUtc = DateTime.UtcNow,
        };
        batch.Rows.Add(new BatchRow { RowNumber = 2, FirstName = "=SUM(A1)", LastName = "Doe", Username = "jane@support.acme.example", Outcome = RowOutcome.Succeeded });
        db.Batches.Add(batch);
        await db.SaveChangesAsync();
        return batch.Id;
    }

    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PortalClient.SignInAsync(client, email);
        return client;
    }

    [Fact]
    public async Task TheReportDownloadsAsANamedCsvWithBomAndNeutralizedCells()
    {
        var id = await AddFinishedBatchAsync("Acme Support");
        var client = await SignedInAsync(DemoDataSeeder.ScopedAdminEmail);

        var response = await client.GetAsync($"/batches/{id}/report.csv", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($"batch-2026-11-24-acme-support-{id}.csv", response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Contains("2,'=SUM(A1),Doe,jane@support.acme.example,,Succeeded,,", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task AnAdminOutsideTheBatchesOrganizationGetsNotFound()
    {
        var id = await AddFinishedBatchAsync("Health Monitor");
        var client = await SignedInAsync(DemoDataSeeder.ScopedAdminEmail);

        var response = await client.GetAsync($"/batches/{id}/report.csv", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
