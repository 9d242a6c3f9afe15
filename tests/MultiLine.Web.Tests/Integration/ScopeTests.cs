using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Common;
using MultiLine.Core.Demo;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;
using MultiLine.Tests;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Tests.Integration;

/// <summary>The scope travels from sign-in, through the cookie's claims, into every query.</summary>
public sealed class ScopeTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private async Task<MultiLineDbContext> ContextSignedInAsAsync(string email)
    {
        var result = await portal.Factory.Services.CreateScope().ServiceProvider.GetRequiredService<AdminSignIn>()
            .SignInAsync(email, PortalFactory.Password, null, TestContext.Current.CancellationToken);
        var principal = AdminClaims.ToPrincipal(result.Admin!, "Test");
        var db = await portal.Factory.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        return db.WithScope(AdminClaims.ToScope(principal));
    }

    [Fact]
    public async Task ScopedAdminSeesOnlyAccountsOfTheirSubtree()
    {
        await using var db = await ContextSignedInAsAsync(DemoDataSeeder.ScopedAdminEmail);

        var page = await AccountDirectory.SearchAsync(db, new AccountSearch(), new PageRequest(0, 500), TestContext.Current.CancellationToken);

        Assert.NotEmpty(page.Items);
        Assert.All(page.Items, a => Assert.Contains(a.Organization, new[] { "Acme Support", "Support EMEA" }));
        await using var all = portal.Factory.CreateDbContext();
        var expected = await all.Accounts.CountAsync(a => a.Organization!.Name == "Acme Support" || a.Organization.Name == "Support EMEA", TestContext.Current.CancellationToken);
        Assert.Equal(expected, page.TotalCount);
    }

    [Fact]
    public async Task ScopedAdminCannotReadAnotherSubtreeEvenByOrganizationId()
    {
        await using var all = portal.Factory.CreateDbContext();
        var health = await all.Organizations.SingleAsync(o => o.Name == "Health Monitor", TestContext.Current.CancellationToken);
        await using var db = await ContextSignedInAsAsync(DemoDataSeeder.ScopedAdminEmail);

        var accounts = await AccountDirectory.SearchAsync(db, new AccountSearch(OrganizationId: health.Id), new PageRequest(), TestContext.Current.CancellationToken);
        var numbers = await NumberInventory.ListAsync(db, health.Id, null, null, new PageRequest(), TestContext.Current.CancellationToken);
        var healthNumber = (await all.Numbers.FirstAsync(n => n.OrganizationId == health.Id && n.State == NumberState.Available, TestContext.Current.CancellationToken)).E164;
        var reserve = await NumberMoves.ReserveAsync(db, TestActors.Admin, DateTime.UtcNow, health.Id, "PORTED", NumberPick.Named(healthNumber), TestContext.Current.CancellationToken);

        Assert.Equal(0, accounts.TotalCount);
        Assert.Equal(0, numbers.TotalCount);
        Assert.False(reserve.Succeeded);
        Assert.Equal(NumberMoves.NotInScope, reserve.Error);
    }

    [Fact]
    public async Task SuperAdminSeesEveryOrganization()
    {
        await using var db = await ContextSignedInAsAsync(PortalFactory.AdminEmail);

        var names = await db.Organizations.Select(o => o.Name).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["Acme Corp", "Acme Sales", "Acme Support", "Health Monitor", "Support EMEA"], names.Order());
    }
}
