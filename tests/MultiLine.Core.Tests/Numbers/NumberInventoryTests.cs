using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Tests.Numbers;

public sealed class NumberInventoryTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly int _organizationId;

    public NumberInventoryTests()
    {
        using var db = _database.CreateDbContext();
        var organization = new Organization { Name = "Org" };
        db.Organizations.Add(organization);
        db.SaveChanges();
        organization.Path = Organization.PathFor(null, organization.Id);
        var group = new PermissionGroup { Organization = organization, Name = "Standard", IsDefault = true };
        db.PermissionGroups.Add(group);
        db.SaveChanges();
        _organizationId = organization.Id;
        for (var i = 0; i < 3; i++)
            db.Accounts.Add(new Account { Username = $"p{i}@x.example", NormalizedUsername = $"p{i}@x.example", OrganizationId = _organizationId, PermissionGroupId = group.Id, Status = AccountStatus.Invited });
        db.Accounts.Add(new Account { Username = "active@x.example", NormalizedUsername = "active@x.example", OrganizationId = _organizationId, PermissionGroupId = group.Id, Status = AccountStatus.Active });
        db.SaveChanges();
    }

    [Fact]
    public async Task AddingARangeCreatesConsecutiveAvailableNumbers()
    {
        await using var db = _database.CreateDbContext();

        var result = await NumberInventory.AddRangeAsync(db, _organizationId, "+1 212 555 0198", 4, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        var numbers = await db.Numbers.OrderBy(n => n.E164).Select(n => n.E164).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["+12125550198", "+12125550199", "+12125550200", "+12125550201"], numbers);
    }

    [Fact]
    public async Task AnOverlappingRangeIsRefusedAndNothingIsAdded()
    {
        await using var db = _database.CreateDbContext();
        await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550100", 10, TestContext.Current.CancellationToken);

        var result = await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550105", 10, TestContext.Current.CancellationToken);

        Assert.Equal("5 of these numbers already exist (first: +12125550105). Choose a free range.", result.Error);
        Assert.Equal(10, await db.Numbers.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SummaryCountsStatesAndFreeCapacity()
    {
        await using var db = _database.CreateDbContext();
        await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550100", 10, TestContext.Current.CancellationToken);
        var first = await db.Numbers.FirstAsync(TestContext.Current.CancellationToken);
        await NumberInventory.ReserveAsync(db, first.Id, "ported", TestContext.Current.CancellationToken);

        var summary = await NumberInventory.SummarizeAsync(db, _organizationId, TestContext.Current.CancellationToken);

        Assert.Equal((9, 1, 0, 0), (summary.Available, summary.Reserved, summary.Assigned, summary.Registered));
        Assert.Equal(new FreeCapacity(9, 3), summary.Capacity);
        Assert.Equal(6, summary.Capacity.Value);
    }

    [Fact]
    public async Task ReservingTakesOnlyAnAvailableNumberAndUnreservingGivesItBack()
    {
        await using var db = _database.CreateDbContext();
        await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550100", 1, TestContext.Current.CancellationToken);
        var id = (await db.Numbers.SingleAsync(TestContext.Current.CancellationToken)).Id;

        var reserved = await NumberInventory.ReserveAsync(db, id, " ported ", TestContext.Current.CancellationToken);
        var again = await NumberInventory.ReserveAsync(db, id, "VIP", TestContext.Current.CancellationToken);
        var released = await NumberInventory.UnreserveAsync(db, id, TestContext.Current.CancellationToken);

        Assert.True(reserved.Succeeded);
        Assert.Equal("+12125550100 is reserved; only an available number can be reserved.", again.Error);
        Assert.True(released.Succeeded);
        var number = await db.Numbers.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal((NumberState.Available, null), (number.State, number.ReservationTag));
    }

    [Fact]
    public async Task AnAdminOutsideTheOrganizationCannotAddNumbersToIt()
    {
        await using var db = _database.CreateDbContext().WithScope(new AdminScope(1, "/999/", Privileges.All));

        var result = await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550100", 5, TestContext.Current.CancellationToken);

        Assert.Equal("That organization is not in your scope.", result.Error);
    }

    public void Dispose() => _database.Dispose();
}
