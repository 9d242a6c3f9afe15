using MultiLine.Tests;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Numbers;
using MultiLine.Core.Tests.Batches;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Accounts;

public sealed class AccountMovesTests : IDisposable
{
    private readonly ImportWorld _world = new();

    private void AddNumbers(MultiLine.Core.Organizations.Organization organization, int count, int start)
    {
        for (var i = 0; i < count; i++)
            _world.AddNumber(organization, $"+1303555{start + i:D4}");
    }

    [Fact]
    public async Task ThePlanListsAccountsThatAreNotPendingAsNotMovable()
    {
        AddNumbers(_world.Other, 5, 0);
        var pending = _world.AddAccount(_world.Acme, "pending@acme.example", AccountStatus.Invited);
        var active = _world.AddAccount(_world.Acme, "active@acme.example", AccountStatus.Active);
        await using var db = _world.Database.CreateDbContext();

        var plan = await AccountMoves.PlanAsync(db, [pending, active], _world.Other.Id, TestContext.Current.CancellationToken);

        Assert.Equal([pending], plan!.Movable.Select(c => c.AccountId));
        Assert.Equal("is active; only pending accounts move.", Assert.Single(plan.NotMovable).NotMovableReason);
        Assert.True(plan.CanMove);
        Assert.Equal("Standard", plan.DefaultPermissionGroup);
    }

    [Fact]
    public async Task MoveIsRefusedWhenTheDestinationHasFewerFreeNumbersThanAccountsToMove()
    {
        AddNumbers(_world.Other, 1, 0);
        var ids = new[] { _world.AddAccount(_world.Acme, "a@acme.example"), _world.AddAccount(_world.Acme, "b@acme.example") };
        await using var db = _world.Database.CreateDbContext();

        var plan = await AccountMoves.PlanAsync(db, ids, _world.Other.Id, TestContext.Current.CancellationToken);

        Assert.False(plan!.CanMove);
        Assert.Equal("Unable to move account(s). You do not have enough numbers available in the selected organization", plan.BlockingReason);
    }

    [Fact]
    public async Task AMovedAccountReleasesItsNumberAndTakesTheDestinationsDefaultGroup()
    {
        AddNumbers(_world.Other, 3, 0);
        var id = _world.AddAccount(_world.Acme, "mover@acme.example", AccountStatus.Invited);
        _world.AddNumber(_world.Acme, "+12125559999", NumberState.Assigned, accountId: id);
        var otherDefault = _world.AddGroup(_world.Other, "Other default", MultiLine.Core.Organizations.Features.Sms, isDefault: true);
        await using var host = await BatchHost.StartAsync(_world.Database);
        await using var db = _world.Database.CreateDbContext();
        var plan = await AccountMoves.PlanAsync(db, [id], _world.Other.Id, TestContext.Current.CancellationToken);

        var submission = (AccountBatchSubmission)host.Services.GetService(typeof(AccountBatchSubmission))!;
        var submitted = await submission.SubmitMoveAsync(db, plan!, TestActors.Admin, TestContext.Current.CancellationToken);
        var batch = await host.WaitUntilFinishedAsync(submitted.BatchId!.Value);

        Assert.Equal((BatchState.Completed, 1), (batch.State, batch.Succeeded));
        await using var check = _world.Database.CreateDbContext();
        var account = await check.Accounts.Include(a => a.Number).SingleAsync(a => a.Id == id, TestContext.Current.CancellationToken);
        Assert.Equal((_world.Other.Id, otherDefault.Id), (account.OrganizationId, account.PermissionGroupId));
        Assert.Null(account.Number);
        var released = await check.Numbers.SingleAsync(n => n.E164 == "+12125559999", TestContext.Current.CancellationToken);
        Assert.Equal((NumberState.Available, (int?)null), (released.State, released.AccountId));
        var row = await check.BatchRows.SingleAsync(r => r.BatchOperationId == batch.Id, TestContext.Current.CancellationToken);
        Assert.Equal("Moved to Other: number +12125559999 released to Available; User Permissions \"Other default\" (Other's default).", row.Reason);
    }

    [Theory]
    [InlineData(new[] { "/1/2/3/", "/1/2/4/" }, 2)]
    [InlineData(new[] { "/1/2/3/", "/1/2/3/" }, 3)]
    [InlineData(new[] { "/1/2/", "/5/" }, null)]
    public void ResendGoesToTheNearestOrganizationAboveAllSelectedAccounts(string[] paths, int? expected)
    {
        Assert.Equal(expected, AccountBatchSubmission.CommonOrganization(paths));
    }

    public void Dispose() => _world.Dispose();
}
