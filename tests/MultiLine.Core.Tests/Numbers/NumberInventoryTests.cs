using MultiLine.Tests;
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
    public async Task AGroupTakesOnlyAvailableNumbersOfItsOwnersAndANumberNamedTwiceGoesToTheFirstAccount()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var db = _database.CreateDbContext();
        var other = new Organization { Name = "Other", Path = "/999/" };
        db.Organizations.Add(other);
        await db.SaveChangesAsync(cancel);
        var accounts = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(cancel);
        db.Numbers.AddRange(
            new MultiLineNumber { E164 = "+12125550001", OrganizationId = _organizationId, State = NumberState.Available },
            new MultiLineNumber { E164 = "+12125550002", OrganizationId = _organizationId, State = NumberState.Reserved, ReservationTag = "PORTED" },
            new MultiLineNumber { E164 = "+12125550003", OrganizationId = other.Id, State = NumberState.Available },
            new MultiLineNumber { E164 = "+12125550004", OrganizationId = _organizationId, State = NumberState.Available });
        await db.SaveChangesAsync(cancel);

        var taken = await NumberRules.TakeManyAsync(db,
            [("+12125550001", accounts[0]), ("+12125550002", accounts[1]), ("+12125550003", accounts[2]), ("+12125550004", accounts[3]), ("+12125550001", accounts[2])],
            [_organizationId], cancel);

        Assert.Equal(["+12125550001", "+12125550004"], taken.Order());
        var holders = await db.Numbers.AsNoTracking().OrderBy(n => n.E164).Select(n => new { n.E164, n.AccountId, n.State }).ToListAsync(cancel);
        Assert.Equal(
            [("+12125550001", (int?)accounts[0], NumberState.Assigned), ("+12125550002", null, NumberState.Reserved),
             ("+12125550003", null, NumberState.Available), ("+12125550004", accounts[3], NumberState.Assigned)],
            holders.Select(h => (h.E164, h.AccountId, h.State)));
    }

    [Fact]
    public async Task AddingARangeCreatesConsecutiveAvailableNumbers()
    {
        await using var db = _database.CreateDbContext();

        var result = await NumberInventory.AddRangeAsync(db, _organizationId, "+1 212 555 0198", 4, TestActors.Admin, DateTime.UtcNow, TestContext.Current.CancellationToken);

        Assert.True(result.Succeeded);
        var numbers = await db.Numbers.OrderBy(n => n.E164).Select(n => n.E164).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["+12125550198", "+12125550199", "+12125550200", "+12125550201"], numbers);
    }

    [Fact]
    public async Task AnOverlappingRangeIsRefusedAndNothingIsAdded()
    {
        await using var db = _database.CreateDbContext();
        await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550100", 10, TestActors.Admin, DateTime.UtcNow, TestContext.Current.CancellationToken);

        var result = await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550105", 10, TestActors.Admin, DateTime.UtcNow, TestContext.Current.CancellationToken);

        Assert.Equal("5 of these numbers already exist (first: +12125550105). Choose a free range.", result.Error);
        Assert.Equal(10, await db.Numbers.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SummaryCountsStatesAndFreeCapacity()
    {
        await using var db = _database.CreateDbContext();
        await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550100", 10, TestActors.Admin, DateTime.UtcNow, TestContext.Current.CancellationToken);
        var first = await db.Numbers.FirstAsync(TestContext.Current.CancellationToken);
        await NumberMoves.ReserveAsync(db, TestActors.Admin, DateTime.UtcNow, _organizationId, "ported", NumberPick.Named(first.E164), TestContext.Current.CancellationToken);

        var summary = await NumberInventory.SummarizeAsync(db, _organizationId, TestContext.Current.CancellationToken);

        Assert.Equal((9, 1, 0, 0), (summary.Available, summary.Reserved, summary.Assigned, summary.Registered));
        Assert.Equal(new FreeCapacity(9, 3), summary.Capacity);
        Assert.Equal(6, summary.Capacity.Value);
    }

    [Fact]
    public async Task ReservingTakesOnlyAnAvailableNumberAndUnreservingGivesItBack()
    {
        await using var db = _database.CreateDbContext();
        await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550100", 1, TestActors.Admin, DateTime.UtcNow, TestContext.Current.CancellationToken);
        var number = NumberPick.Named("+12125550100");

        var reserved = await NumberMoves.ReserveAsync(db, TestActors.Admin, DateTime.UtcNow, _organizationId, " ported ", number, TestContext.Current.CancellationToken);
        var again = await NumberMoves.ReserveAsync(db, TestActors.Admin, DateTime.UtcNow, _organizationId, "VIP", number, TestContext.Current.CancellationToken);
        var released = await NumberMoves.ReleaseAsync(db, TestActors.Admin, DateTime.UtcNow, _organizationId, number, TestContext.Current.CancellationToken);

        Assert.True(reserved.Succeeded, reserved.Error);
        Assert.False(again.Succeeded);
        Assert.Contains("+12125550100", again.Error);
        Assert.True(released.Succeeded, released.Error);
        var stored = await db.Numbers.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal((NumberState.Available, null), (stored.State, stored.ReservationTag));
    }

    [Fact]
    public async Task AnAdminOutsideTheOrganizationCannotAddNumbersToIt()
    {
        await using var db = _database.CreateDbContext().WithScope(new AdminScope(1, "/999/", Privileges.All));

        var result = await NumberInventory.AddRangeAsync(db, _organizationId, "+12125550100", 5, TestActors.Admin, DateTime.UtcNow, TestContext.Current.CancellationToken);

        Assert.Equal("That organization is not in your scope.", result.Error);
    }

    public void Dispose() => _database.Dispose();
}
