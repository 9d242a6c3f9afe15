using MultiLine.Core.Activity;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Demo;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

/// <summary>"Download CSV" on the Accounts page: the signed-in admin's filter, in their scope, as a named, streamed CSV file.</summary>
public sealed class AccountExportDownloadTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpClient> SignedInAsync(string email)
    {
        var client = portal.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        await PortalClient.SignInAsync(client, email);
        return client;
    }

    private static IReadOnlyList<string[]> Accounts(string text) =>
        text.Split("\r\n").SkipWhile(l => !l.StartsWith("firstname,", StringComparison.Ordinal)).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();

    [Fact]
    public async Task AScopedAdminsExportIsANamedCsvWithBomHoldingExactlyTheirAccounts()
    {
        var client = await SignedInAsync(DemoDataSeeder.ScopedAdminEmail);

        var response = await client.GetAsync("/accounts/export.csv?tz=Europe/Rome", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        var day = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Rome")).ToString("yyyy-MM-dd");
        Assert.Equal($"accounts-acme-support-{day}.csv", response.Content.Headers.ContentDisposition!.FileNameStar ?? response.Content.Headers.ContentDisposition.FileName);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        Assert.StartsWith("# Report: MultiLine accounts\r\n# Generated: ", text);
        Assert.Contains(" Europe/Rome (UTC+01:00)\r\n# Organization: Acme Support and its sub-organizations (all in your scope)\r\n", text);

        await using var db = portal.Factory.CreateDbContext();
        var expected = await db.Accounts.Where(a => a.Organization!.Name == "Acme Support" || a.Organization!.Name == "Support EMEA").Select(a => a.Username).ToListAsync(Ct);
        Assert.Equal(expected.Order(), Accounts(text).Select(cells => cells[2]).Order());
        Assert.All(Accounts(text), cells => Assert.Contains(cells[3], new[] { "Acme Support", "Support EMEA" }));

        // The download is recorded once: who, what file, which organization, from the portal.
        var adminId = await db.Admins.Where(a => a.Email == DemoDataSeeder.ScopedAdminEmail).Select(a => a.Id).SingleAsync(Ct);
        var entry = Assert.Single(await db.ActivityEntries.Where(e => e.Action == ActivityActions.AccountsExport && e.AdminId == adminId).ToListAsync(Ct));
        Assert.Equal((ActivityTargetKind.Report, $"accounts-acme-support-{day}.csv", ActivitySource.Portal),
            (entry.TargetKind, entry.TargetName, entry.Source));
        Assert.Equal(await db.Organizations.Where(o => o.Name == "Acme Support").Select(o => (int?)o.Id).SingleAsync(Ct), entry.OrganizationId);
    }

    [Fact]
    public async Task TheDownloadFollowsThePagesFilterAndSortFromTheLink()
    {
        var client = await SignedInAsync(PortalFactory.AdminEmail);
        await using var db = portal.Factory.CreateDbContext();
        var sales = await db.Organizations.Where(o => o.Name == "Acme Sales").Select(o => o.Id).SingleAsync(Ct);
        var expected = await db.Accounts.Where(a => a.OrganizationId == sales && a.Status == AccountStatus.Invited)
            .OrderBy(a => a.NormalizedUsername).Select(a => a.Username).ToListAsync(Ct);

        var text = await client.GetStringAsync($"/accounts/export.csv?status=Invited&org={sales}&sort=Username", Ct);

        Assert.Equal(expected, Accounts(text).Select(cells => cells[2].TrimStart('\'')));
        Assert.Contains("# Filter: status Invited; sorted by username\r\n", text);
    }

    [Fact]
    public async Task AnOrganizationOutsideTheScopeIsNotFoundAndAnAdminWithoutTheAccountsPrivilegeGetsNoFile()
    {
        var scoped = await SignedInAsync(DemoDataSeeder.ScopedAdminEmail);
        var reports = await SignedInAsync(DemoDataSeeder.ReportsAdminEmail);
        await using var db = portal.Factory.CreateDbContext();
        var health = await db.Organizations.Where(o => o.Name == "Health Monitor").Select(o => o.Id).SingleAsync(Ct);

        var foreign = await scoped.GetAsync($"/accounts/export.csv?org={health}", Ct);
        var refused = await reports.GetAsync("/accounts/export.csv", Ct);

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        Assert.DoesNotContain("firstname,", await refused.Content.ReadAsStringAsync(Ct));
    }
}
