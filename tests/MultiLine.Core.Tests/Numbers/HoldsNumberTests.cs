using MultiLine.Tests;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Demo;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Core.Tests.Batches;
using MultiLine.Core.Tests.Imports;
using MultiLine.Core.Tests.Invitations;

namespace MultiLine.Core.Tests.Numbers;

/// <summary>
/// Free capacity counts pending accounts by <see cref="Account.HoldsNumber"/>, a flag the database keeps from Numbers.
/// After every kind of change to who holds a number, the figure must equal a full recount from Numbers itself.
/// </summary>
public sealed class HoldsNumberTests : IDisposable
{
    private readonly ImportWorld _world = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Every account's flag against Numbers, and every organization's free capacity against a recount that ignores the flag.</summary>
    internal static async Task AssertFreeCapacityMatchesARecountAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        var wrong = await db.Accounts
            .Where(a => a.HoldsNumber != db.Numbers.Any(n => n.AccountId == a.Id))
            .Select(a => a.Username)
            .ToListAsync(Ct);
        Assert.Empty(wrong);

        var ids = await db.Organizations.Select(o => o.Id).ToListAsync(Ct);
        var figures = await db.FreeCapacitiesAsync(ids, Ct);
        var pending = AccountStatuses.Pending;
        foreach (var id in ids)
        {
            var recount = new FreeCapacity(
                await db.Numbers.CountAsync(n => n.OrganizationId == id && n.State == NumberState.Available && n.AccountId == null, Ct),
                await db.Accounts.CountAsync(a => a.OrganizationId == id && pending.Contains(a.Status) && !db.Numbers.Any(n => n.AccountId == a.Id), Ct));
            Assert.Equal(recount, figures[id]);
        }
    }

    private async Task<bool> HoldsNumberAsync(int accountId)
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.Accounts.Where(a => a.Id == accountId).Select(a => a.HoldsNumber).SingleAsync(Ct);
    }

    private void AddNumbers(MultiLine.Core.Organizations.Organization organization, int count, int start = 0)
    {
        for (var i = 0; i < count; i++)
            _world.AddNumber(organization, $"+1303555{start + i:D4}");
    }

    [Fact]
    public async Task ImportAndInviteCountsTheRowsThatTookANamedNumberAsHoldingOne()
    {
        AddNumbers(_world.Acme, 6);
        var csv = CsvFiles.Lines([CsvFiles.Header,
            CsvFiles.Row("a@acme.example", number: "+13035550000"), CsvFiles.Row("b@acme.example"),
            CsvFiles.Row("c@acme.example", number: "+13035550001"), CsvFiles.Row("d@acme.example")]);
        await using var host = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 2);

        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(csv, _world.Target(), invite: true));

        Assert.Equal((BatchState.Completed, 4), (batch.State, batch.Succeeded));
        await using (var db = _world.Database.CreateDbContext())
            Assert.Equal(new FreeCapacity(4, 2), await db.FreeCapacityAsync(_world.Acme.Id, Ct));
        await AssertFreeCapacityMatchesARecountAsync(_world.Database);
    }

    [Fact]
    public async Task TakingNumbersForAGroupMarksExactlyTheAccountsThatGotOne()
    {
        AddNumbers(_world.Acme, 2);
        var first = _world.AddAccount(_world.Acme, "first@acme.example");
        var second = _world.AddAccount(_world.Acme, "second@acme.example");
        var third = _world.AddAccount(_world.Acme, "third@acme.example");

        await using (var db = _world.Database.CreateDbContext())
        {
            // The second wants a number the first got in the same statement; the third one that does not exist.
            var taken = await NumberRules.TakeManyAsync(db,
                [("+13035550000", first), ("+13035550000", second), ("+19995550000", third)], [_world.Root.Id, _world.Acme.Id], Ct);
            Assert.Equal("+13035550000", Assert.Single(taken));
        }

        Assert.Equal((true, false, false), (await HoldsNumberAsync(first), await HoldsNumberAsync(second), await HoldsNumberAsync(third)));
        await AssertFreeCapacityMatchesARecountAsync(_world.Database);
    }

    [Fact]
    public async Task TheSingleAccountFormHandingOutAReservedNumberCountsTheAccountAsHoldingIt()
    {
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Reserved, tag: "PORTED");
        AddNumbers(_world.Acme, 1);
        await using var host = await BatchHost.StartAsync(_world.Database);
        var creation = new SingleAccountCreation(new AccountInputValidator(), host.Services.GetRequiredService<InvitationIssuer>(), _world.Database.System, TimeProvider.System);
        await using var scoped = _world.Database.CreateDbContext();

        var withNumber = await creation.CreateAsync(scoped.WithScope(_world.AcmeAdmin),
            new SingleAccountRequest(Input("jane@acme.example", "+1 212 555 0100"), _world.Acme.Id, _world.MessagingOnly.Id, Invite: true), TestActors.Admin, Ct);
        var without = await creation.CreateAsync(scoped.WithScope(_world.AcmeAdmin),
            new SingleAccountRequest(Input("john@acme.example"), _world.Acme.Id, _world.MessagingOnly.Id, Invite: true), TestActors.Admin, Ct);

        Assert.True(withNumber.Succeeded && without.Succeeded);
        Assert.Equal((true, false), (await HoldsNumberAsync(withNumber.AccountId!.Value), await HoldsNumberAsync(without.AccountId!.Value)));
        await AssertFreeCapacityMatchesARecountAsync(_world.Database);
    }

    private static AccountInput Input(string username, string? number = null) => new()
    {
        Username = username, SocialMessaging = "No", MonitorCalls = "auto", MonitorSms = "on", MultiLineNumber = number, Language = "English",
    };

    [Fact]
    public async Task AMovedAccountThatReleasedItsNumberWaitsForOneInTheDestination()
    {
        AddNumbers(_world.Other, 3);
        var mover = _world.AddAccount(_world.Acme, "mover@acme.example", AccountStatus.Invited);
        _world.AddNumber(_world.Acme, "+12125559999", NumberState.Assigned, accountId: mover);
        Assert.True(await HoldsNumberAsync(mover));
        await using var host = await BatchHost.StartAsync(_world.Database);
        await using var db = _world.Database.CreateDbContext();
        var plan = await AccountMoves.PlanAsync(db, [mover], _world.Other.Id, Ct);

        var submitted = await host.Services.GetRequiredService<AccountBatchSubmission>().SubmitMoveAsync(db, plan!, TestActors.Admin, Ct);
        var batch = await host.WaitUntilFinishedAsync(submitted.BatchId!.Value);

        Assert.Equal((BatchState.Completed, 1), (batch.State, batch.Succeeded));
        Assert.False(await HoldsNumberAsync(mover));
        await using (var check = _world.Database.CreateDbContext())
            Assert.Equal(new FreeCapacity(3, 1), await check.FreeCapacityAsync(_world.Other.Id, Ct));
        await AssertFreeCapacityMatchesARecountAsync(_world.Database);
    }

    [Fact]
    public async Task AddingReservingAndUnreservingNumbersChangesOnlyTheAvailableFigure()
    {
        _world.AddAccount(_world.Acme, "waiting@acme.example");
        await using var db = _world.Database.CreateDbContext();

        Assert.True((await NumberInventory.AddRangeAsync(db, _world.Acme.Id, "+13035550000", 5, TestActors.Admin, DateTime.UtcNow, Ct)).Succeeded);
        var numbers = await db.Numbers.OrderBy(n => n.E164).Select(n => n.E164).ToListAsync(Ct);
        Assert.True((await NumberMoves.ReserveAsync(db, TestActors.Admin, DateTime.UtcNow, _world.Acme.Id, "ported", NumberPick.Named(numbers[0], numbers[1]), Ct)).Succeeded);
        Assert.True((await NumberMoves.ReleaseAsync(db, TestActors.Admin, DateTime.UtcNow, _world.Acme.Id, NumberPick.Named(numbers[1]), Ct)).Succeeded);

        Assert.Equal(new FreeCapacity(4, 1), await db.FreeCapacityAsync(_world.Acme.Id, Ct));
        await AssertFreeCapacityMatchesARecountAsync(_world.Database);
    }

    [Fact]
    public async Task HandingANumberOnDeletingItOrDeletingItsHolderKeepsTheFigureRight()
    {
        var ann = _world.AddAccount(_world.Acme, "ann@acme.example", AccountStatus.Invited);
        var bob = _world.AddAccount(_world.Acme, "bob@acme.example", AccountStatus.Invited);
        var cy = _world.AddAccount(_world.Acme, "cy@acme.example", AccountStatus.Invited);
        _world.AddNumber(_world.Acme, "+13035550000", NumberState.Assigned, accountId: ann);
        _world.AddNumber(_world.Acme, "+13035550001", NumberState.Assigned, accountId: cy);
        await using var db = _world.Database.CreateDbContext();

        // Ann's number goes to Bob through the change tracker.
        var number = await db.Numbers.SingleAsync(n => n.E164 == "+13035550000", Ct);
        number.AccountId = bob;
        await db.SaveChangesAsync(Ct);
        Assert.Equal((false, true), (await HoldsNumberAsync(ann), await HoldsNumberAsync(bob)));
        await AssertFreeCapacityMatchesARecountAsync(_world.Database);

        // Bob's number is deleted from the inventory; Cy's holder is deleted (the number is let go by the foreign key).
        await db.Numbers.Where(n => n.E164 == "+13035550000").ExecuteDeleteAsync(Ct);
        Assert.False(await HoldsNumberAsync(bob));
        await db.Accounts.Where(a => a.Id == cy).ExecuteDeleteAsync(Ct);
        Assert.Null(await db.Numbers.Where(n => n.E164 == "+13035550001").Select(n => n.AccountId).SingleAsync(Ct));

        // One statement releasing every number of the organization at once.
        _world.AddNumber(_world.Acme, "+13035550002", NumberState.Assigned, accountId: ann);
        await db.Numbers.Where(n => n.OrganizationId == _world.Acme.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.AccountId, (int?)null).SetProperty(n => n.State, NumberState.Available), Ct);

        Assert.Equal(new FreeCapacity(2, 2), await db.FreeCapacityAsync(_world.Acme.Id, Ct));
        await AssertFreeCapacityMatchesARecountAsync(_world.Database);
    }

    [Fact]
    public async Task ActivationWithAPickedNumberOrTheNumberHeldKeepsTheFigureRight()
    {
        using var invitations = new InvitationWorld(availableNumbers: 8);
        var picker = await invitations.AddAccountAsync("picker@acme.example");
        var holder = await invitations.AddAccountAsync("holder@acme.example", withNumber: true);
        var waiting = await invitations.AddAccountAsync("waiting@acme.example");
        var pickerToken = InvitationWorld.TokenOf(await invitations.InviteAsync(picker.Id));
        var holderToken = InvitationWorld.TokenOf(await invitations.InviteAsync(holder.Id));
        await invitations.InviteAsync(waiting.Id);
        var offer = await invitations.Activation.OpenAsync(pickerToken, Ct);

        Assert.True((await invitations.Activation.ActivateAsync(pickerToken, offer.Choices[0].Id, Ct)).Succeeded);
        Assert.True((await invitations.Activation.ActivateAsync(holderToken, null, Ct)).Succeeded);

        await using (var db = invitations.Db())
        {
            Assert.True(await db.Accounts.Where(a => a.Id == picker.Id).Select(a => a.HoldsNumber).SingleAsync(Ct));
            Assert.Equal(new FreeCapacity(6, 1), await db.FreeCapacityAsync(invitations.OrganizationId, Ct));
        }
        await AssertFreeCapacityMatchesARecountAsync(invitations.Database);
    }

    [Fact]
    public async Task TheDemoTenantSeededThroughTheEnginesBulkWriterHasTheFigureRight()
    {
        using var database = new TestDatabase();
        var seeder = new DemoDataSeeder(database.System, new PasswordHasher<Admin>(), database.Engine.DatabaseEngine);

        Assert.True(await seeder.SeedIfEmptyAsync(new DemoOptions { Accounts = 400 }, Ct));

        await using (var db = database.CreateDbContext())
        {
            Assert.True(await db.Accounts.CountAsync(a => a.HoldsNumber, Ct) > 0);
            Assert.True(await db.Accounts.CountAsync(a => !a.HoldsNumber && AccountStatuses.Pending.Contains(a.Status), Ct) > 0);
        }
        await AssertFreeCapacityMatchesARecountAsync(database);
    }

    public void Dispose() => _world.Dispose();
}
