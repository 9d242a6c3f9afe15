using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Demo;
using MultiLine.Tests;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Activity;

/// <summary>
/// Every sign-in attempt leaves one entry (signed in, failed, locked out, refused while locked), and so does signing out
/// and downloading the activity report from the portal. A sign-in belongs to the admin's scope organization.
/// </summary>
public sealed class SignInActivityTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private const string Address = "203.0.113.9";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AdminSignIn SignIn() => portal.Factory.Services.CreateScope().ServiceProvider.GetRequiredService<AdminSignIn>();

    private async Task<long> LastIdAsync()
    {
        await using var db = portal.Factory.CreateDbContext();
        return await db.ActivityEntries.MaxAsync(e => (long?)e.Id, Ct) ?? 0;
    }

    private async Task<List<ActivityEntry>> EntriesSinceAsync(long after, string typedOrEmail)
    {
        await using var db = portal.Factory.CreateDbContext();
        return await db.ActivityEntries.Where(e => e.Id > after && e.TargetName == typedOrEmail).OrderBy(e => e.Id).ToListAsync(Ct);
    }

    private static string Unique(string name) => $"{name}.{Guid.NewGuid():N}"[..(name.Length + 9)] + "@multiline.example";

    [Fact]
    public async Task ASignInIsRecordedOnceUnderTheAdminAndTheirScopeOrganization()
    {
        var before = await LastIdAsync();

        Assert.True((await SignIn().SignInAsync(DemoDataSeeder.ScopedAdminEmail, PortalFactory.Password, Address, Ct)).Succeeded);

        var entry = Assert.Single(await EntriesSinceAsync(before, DemoDataSeeder.ScopedAdminEmail));
        await using var db = portal.Factory.CreateDbContext();
        var admin = await db.Admins.SingleAsync(a => a.Email == DemoDataSeeder.ScopedAdminEmail, Ct);
        Assert.Equal((ActivityActions.SignIn, admin.Id, "Support Admin", admin.ScopeOrganizationId, Address, ActivitySource.Portal),
            (entry.Action, entry.AdminId, entry.AdminName, entry.OrganizationId, entry.ClientIp, entry.Source));
        Assert.NotNull(entry.OrganizationId);
    }

    [Fact]
    public async Task AWrongPasswordIsOneFailureThatNeverRecordsThePassword()
    {
        var email = Unique("wrong");
        await portal.AddAdminAsync(email);
        var before = await LastIdAsync();

        Assert.False((await SignIn().SignInAsync(email, "Secret-typo-123", Address, Ct)).Succeeded);

        var entry = Assert.Single(await EntriesSinceAsync(before, email));
        Assert.Equal((ActivityActions.SignInFailure, "Wrong password"), (entry.Action, entry.Details));
        Assert.NotNull(entry.AdminId);
        Assert.DoesNotContain("Secret-typo-123", string.Join("|", entry.AdminName, entry.TargetName, entry.Details));
    }

    [Fact]
    public async Task AnUnknownEmailIsRecordedAsTypedWithNoAdminAndNoOrganization()
    {
        var typed = Unique("ghost");
        var before = await LastIdAsync();

        Assert.False((await SignIn().SignInAsync(typed, "guess-1", Address, Ct)).Succeeded);

        var entry = Assert.Single(await EntriesSinceAsync(before, typed));
        Assert.Equal((ActivityActions.SignInFailure, (int?)null, typed, (int?)null, "Unknown email address"),
            (entry.Action, entry.AdminId, entry.AdminName, entry.OrganizationId, entry.Details));
    }

    [Fact]
    public async Task TheAttemptThatLocksAndEveryAttemptWhileLockedAreRecordedOnceEach()
    {
        var email = Unique("locked");
        await portal.AddAdminAsync(email);
        var before = await LastIdAsync();

        for (var attempt = 0; attempt < SignInRules.MaxFailedAttempts; attempt++)
            await SignIn().SignInAsync(email, "wrong-password", Address, Ct);
        // The right password while locked is refused, and recorded as refused.
        Assert.False((await SignIn().SignInAsync(email, PortalFactory.Password, Address, Ct)).Succeeded);

        var actions = (await EntriesSinceAsync(before, email)).Select(e => e.Action).ToList();
        Assert.Equal([.. Enumerable.Repeat(ActivityActions.SignInFailure, SignInRules.MaxFailedAttempts - 1), ActivityActions.SignInLockout, ActivityActions.SignInLocked], actions);
    }

    [Fact]
    public async Task SigningOutAndDownloadingTheActivityReportAreRecordedOnceEach()
    {
        var client = portal.Factory.CreateClient(new() { AllowAutoRedirect = false });
        await PortalClient.SignInAsync(client, PortalFactory.AdminEmail);

        var before = await LastIdAsync();
        var download = await client.GetAsync($"/reports/activity.csv?action={ActivityActions.SignIn}&tz=Europe/Rome", Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var text = Encoding.UTF8.GetString(await download.Content.ReadAsByteArrayAsync(Ct));
        Assert.Contains("# Filter: action Signed in", text);
        Assert.Contains("Demo Super Admin", text);

        var token = PortalClient.AntiforgeryTokenIn(await client.GetStringAsync("/accounts", Ct));
        var signOut = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        await using var db = portal.Factory.CreateDbContext();
        var actions = await db.ActivityEntries.Where(e => e.Id > before && e.AdminName == "Demo Super Admin").OrderBy(e => e.Id).Select(e => e.Action).ToListAsync(Ct);
        Assert.Equal([ActivityActions.ActivityExport, ActivityActions.SignOut], actions);
    }
}
