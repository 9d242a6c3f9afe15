using MultiLine.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Numbers;
using MultiLine.Core.Tests.Batches;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Invitations;

/// <summary>Resend Invitation as a batch with its own report.</summary>
public sealed class ResendInvitationsTests : IDisposable
{
    private readonly ImportWorld _world = new();

    [Fact]
    public async Task ActiveAccountsAreSkippedAndAccountsWithoutANumberNeedFreeCapacity()
    {
        var active = _world.AddAccount(_world.Acme, "active@acme.example", AccountStatus.Active);
        var withNumber = _world.AddAccount(_world.Acme, "holder@acme.example", AccountStatus.InvitationFailed);
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Assigned, accountId: withNumber);
        var withoutNumber = _world.AddAccount(_world.Acme, "waiting@acme.example", AccountStatus.Invited);
        await using var host = await BatchHost.StartAsync(_world.Database);
        await using var db = _world.Database.CreateDbContext();
        var scoped = db.WithScope(new AdminScope(1, _world.Acme.Path, Privileges.All));

        var submitted = await host.Services.GetRequiredService<AccountBatchSubmission>()
            .SubmitResendAsync(scoped, [active, withNumber, withoutNumber], TestActors.Admin, TestContext.Current.CancellationToken);
        var batch = await host.WaitUntilFinishedAsync(submitted.BatchId!.Value);

        Assert.Equal((BatchKind.ResendInvitations, BatchState.CompletedWithErrors), (batch.Kind, batch.State));
        await using var check = _world.Database.CreateDbContext();
        var rows = await check.BatchRows.Where(r => r.BatchOperationId == batch.Id).OrderBy(r => r.RowNumber).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([RowOutcome.Skipped, RowOutcome.Succeeded, RowOutcome.Failed], rows.Select(r => r.Outcome));
        Assert.Equal("active@acme.example is active; it needs no invitation.", rows[0].Reason);
        Assert.Equal(("+12125550100", InvitationState.Queued), (rows[1].Number, rows[1].Invitation));
        Assert.StartsWith("Acme has no free capacity for 1 account without a number (0 Available numbers", rows[2].Reason);
        var holder = await check.Accounts.SingleAsync(a => a.Id == withNumber, TestContext.Current.CancellationToken);
        Assert.Equal(AccountStatus.Invited, holder.Status);
        Assert.Equal(1, await check.Invitations.CountAsync(i => i.AccountId == withNumber, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AResendOutsideTheAdminsScopeTouchesNothing()
    {
        var foreign = _world.AddAccount(_world.Other, "foreign@other.example", AccountStatus.Invited);
        await using var host = await BatchHost.StartAsync(_world.Database);
        await using var db = _world.Database.CreateDbContext();
        var scoped = db.WithScope(new AdminScope(1, _world.Acme.Path, Privileges.All));

        var submitted = await host.Services.GetRequiredService<AccountBatchSubmission>()
            .SubmitResendAsync(scoped, [foreign], TestActors.Admin, TestContext.Current.CancellationToken);

        Assert.False(submitted.Succeeded);
        Assert.Equal("Select at least one account.", submitted.Error);
    }

    public void Dispose() => _world.Dispose();
}
