using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Core.Tests.Batches;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Numbers;

/// <summary>Adding numbers from a list, allocating them down the organization tree, withdrawing them, reserving a series.</summary>
public sealed class NumberAllocationTests : IDisposable
{
    private static readonly ActivityActor Actor = new(1, "Ada Admin", "127.0.0.1", ActivitySource.Portal);
    private static readonly DateTime Now = new(2026, 11, 26, 12, 0, 0, DateTimeKind.Utc);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ImportWorld _world = new();

    public void Dispose() => _world.Dispose();

    private MultiLineDbContext Scoped(Organization organization) =>
        _world.Database.CreateDbContext().WithScope(new AdminScope(1, organization.Path, Privileges.All));

    private void AddNumbers(Organization organization, string prefix, int count, NumberState state = NumberState.Available, string? tag = null)
    {
        for (var i = 0; i < count; i++)
            _world.AddNumber(organization, $"{prefix}{i:D4}", state, tag);
    }

    private async Task<List<ActivityEntry>> ActivityAsync()
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.ActivityEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync(Ct);
    }

    [Fact]
    public void AListIsReadOnePerLineOrCommaSeparatedAndEachBadOrRepeatedEntryIsRefusedOnItsLine()
    {
        var lines = NumberList.Parse("+1 415 555 0100, +14155550101\n\n4155550102\r\n+14155550100;+1415x\n");

        Assert.Equal(
            [(1, "+14155550100", (string?)null), (1, "+14155550101", null),
             (3, null, "\"4155550102\" has no country code; write it as +<country code><number>, e.g. +14155550123."),
             (4, "+14155550100", "+14155550100 is also on line 1."),
             (4, null, "\"+1415x\" is not a valid phone number: use digits only, with + and the country code, e.g. +14155550123.")],
            lines.Select(l => (l.Line, l.E164, l.Refusal)));
    }

    [Fact]
    public async Task ThePreviewNamesNumbersAlreadyInTheInventoryAndAddingPutsInTheRestWithOneRecord()
    {
        _world.AddNumber(_world.Team, "+14155550101");
        _world.AddNumber(_world.Other, "+14155550102");
        var additions = new NumberAdditions(_world.Database.System);
        const string list = "+14155550100\n+14155550101\n+14155550102\n+14155550103";
        await using var db = Scoped(_world.Acme);

        var preview = (await additions.PreviewAsync(db, _world.Acme.Id, list, Ct)).Preview!;
        var added = await additions.AddAsync(db, Actor, Now, _world.Acme.Id, list, expectedCount: 2, Ct);

        Assert.Equal("2 numbers will be added to Acme, 2 refused.", preview.Summary);
        Assert.Equal(["Line 2: +14155550101 already belongs to Team.", "Line 3: +14155550102 already belongs to another organization."],
            preview.Refused.Select(r => r.Describe()));
        Assert.True(added.Succeeded, added.Error);
        Assert.Equal(2, added.Added);
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(["+14155550100", "+14155550103"],
            await check.Numbers.Where(n => n.OrganizationId == _world.Acme.Id).OrderBy(n => n.E164).Select(n => n.E164).ToListAsync(Ct));
        var entry = Assert.Single(await ActivityAsync());
        Assert.Equal((ActivityActions.NumbersAdd, _world.Acme.Id, ActivityTargetKind.Organization), (entry.Action, entry.OrganizationId, entry.TargetKind));
        Assert.Equal("2 numbers from a list: 2 numbers added as Available (+14155550100 to +14155550103).", entry.Details);
    }

    [Fact]
    public async Task AListThatChangedSinceThePreviewAddsNothing()
    {
        var additions = new NumberAdditions(_world.Database.System);
        await using var db = Scoped(_world.Acme);
        const string list = "+14155550100\n+14155550101";
        var preview = (await additions.PreviewAsync(db, _world.Acme.Id, list, Ct)).Preview!;
        _world.AddNumber(_world.Other, "+14155550101");

        var added = await additions.AddAsync(db, Actor, Now, _world.Acme.Id, list, preview.ToAdd.Count, Ct);

        Assert.False(added.Succeeded);
        Assert.Equal("The list changed since it was checked: now 1 number will be added to Acme, 1 refused. Check it again.", added.Error);
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(0, await check.Numbers.CountAsync(n => n.OrganizationId == _world.Acme.Id, Ct));
        Assert.Empty(await ActivityAsync());
    }

    [Fact]
    public async Task AllocationMovesTheLowestAvailableNumbersOfTheSeriesToTheSubOrganization()
    {
        AddNumbers(_world.Acme, "+1415555", 5);
        AddNumbers(_world.Acme, "+1212555", 3);
        _world.AddNumber(_world.Acme, "+14155559998", NumberState.Reserved, "PORTED");
        await using var db = Scoped(_world.Acme);

        var result = await NumberMoves.AllocateAsync(db, Actor, Now, _world.Acme.Id, _world.Team.Id, "+1 415", 3, Ct);

        Assert.True(result.Succeeded, result.Error);
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(["+14155550000", "+14155550001", "+14155550002"],
            await check.Numbers.Where(n => n.OrganizationId == _world.Team.Id).OrderBy(n => n.E164).Select(n => n.E164).ToListAsync(Ct));
        var entry = Assert.Single(await ActivityAsync());
        Assert.Equal((ActivityActions.NumbersAllocate, _world.Team.Id, "Team"), (entry.Action, entry.OrganizationId, entry.TargetName));
        Assert.Equal("3 numbers starting +1415 allocated from Acme to Team (+14155550000 to +14155550002).", entry.Details);
    }

    [Fact]
    public async Task AllocationShortOfNumbersSaysHowManyThereAreAndMovesNone()
    {
        AddNumbers(_world.Acme, "+1415555", 12);
        await using var db = Scoped(_world.Acme);

        var result = await NumberMoves.AllocateAsync(db, Actor, Now, _world.Acme.Id, _world.Team.Id, "+1415", 50, Ct);

        Assert.Equal("Acme has only 12 Available numbers starting +1415; 50 cannot be allocated to Team.", result.Error);
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(12, await check.Numbers.CountAsync(n => n.OrganizationId == _world.Acme.Id, Ct));
        Assert.Empty(await ActivityAsync());
    }

    [Fact]
    public async Task AllocationGoesOnlyDownTheTree()
    {
        AddNumbers(_world.Team, "+1415555", 2);
        await using var db = Scoped(_world.Acme);

        var result = await NumberMoves.AllocateAsync(db, Actor, Now, _world.Team.Id, _world.Acme.Id, "", 1, Ct);

        Assert.Equal("Acme is not a sub-organization of Team; numbers are allocated down the organization tree.", result.Error);
    }

    [Fact]
    public async Task WithdrawalReturnsUnusedNumbersToTheParentAndRefusesANumberAnAccountHolds()
    {
        AddNumbers(_world.Team, "+1415555", 2);
        _world.AddNumber(_world.Team, "+14155550500", NumberState.Reserved, "PORTED");
        var account = _world.AddAccount(_world.Team, "held@acme.example");
        _world.AddNumber(_world.Team, "+14155550900", NumberState.Assigned, accountId: account);
        await using var db = Scoped(_world.Acme);

        var refused = await NumberMoves.WithdrawAsync(db, Actor, Now, _world.Team.Id, NumberPick.Named("+14155550000", "+14155550900"), Ct);
        var shortBySeries = await NumberMoves.WithdrawAsync(db, Actor, Now, _world.Team.Id, NumberPick.FromSeries("+1415", 4), Ct);
        var withdrawn = await NumberMoves.WithdrawAsync(db, Actor, Now, _world.Team.Id, NumberPick.FromSeries("+1415", 3), Ct);

        Assert.Equal("Only unused numbers can be withdrawn: +14155550900 is assigned to an account.", refused.Error);
        Assert.Equal("Only unused numbers can be withdrawn: Team has only 3 unused numbers starting +1415; you asked for 4. 1 other is held by accounts.", shortBySeries.Error);
        Assert.True(withdrawn.Succeeded, withdrawn.Error);
        await using var check = _world.Database.CreateDbContext();
        var numbers = await check.Numbers.AsNoTracking().OrderBy(n => n.E164).Select(n => new { n.E164, n.OrganizationId, n.State, n.ReservationTag }).ToListAsync(Ct);
        Assert.Equal(
            [("+14155550000", _world.Acme.Id, NumberState.Available, (string?)null), ("+14155550001", _world.Acme.Id, NumberState.Available, null),
             ("+14155550500", _world.Acme.Id, NumberState.Reserved, "PORTED"), ("+14155550900", _world.Team.Id, NumberState.Assigned, null)],
            numbers.Select(n => (n.E164, n.OrganizationId, n.State, n.ReservationTag)));
        var entry = Assert.Single(await ActivityAsync());
        Assert.Equal(ActivityActions.NumbersWithdraw, entry.Action);
        Assert.Equal("3 numbers starting +1415 withdrawn from Team to Acme (+14155550000 to +14155550500).", entry.Details);
    }

    [Fact]
    public async Task AScopedAdminCannotAllocateFromOrWithdrawToAnOrganizationOutsideItsScope()
    {
        AddNumbers(_world.Acme, "+1415555", 3);
        AddNumbers(_world.Team, "+1212555", 3);
        await using var db = Scoped(_world.Team);

        var allocate = await NumberMoves.AllocateAsync(db, Actor, Now, _world.Acme.Id, _world.Team.Id, "+1415", 1, Ct);
        var withdraw = await NumberMoves.WithdrawAsync(db, Actor, Now, _world.Team.Id, NumberPick.FromSeries("+1212", 1), Ct);
        var fromOther = await NumberMoves.AllocateAsync(Scoped(_world.Other), Actor, Now, _world.Acme.Id, _world.Team.Id, "", 1, Ct);

        Assert.Equal(NumberMoves.NotInScope, allocate.Error);
        Assert.Equal("The parent organization of Team is outside your scope; numbers cannot be withdrawn to it.", withdraw.Error);
        Assert.Equal(NumberMoves.NotInScope, fromOther.Error);
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal((3, 3), (await check.Numbers.CountAsync(n => n.OrganizationId == _world.Acme.Id, Ct), await check.Numbers.CountAsync(n => n.OrganizationId == _world.Team.Id, Ct)));
        Assert.Empty(await ActivityAsync());
    }

    [Fact]
    public async Task ReservingASeriesTagsAvailableNumbersOnlyWithOneRecord()
    {
        AddNumbers(_world.Acme, "+1415555", 3);
        await using var db = Scoped(_world.Acme);

        var reserved = await NumberMoves.ReserveAsync(db, Actor, Now, _world.Acme.Id, "ported", NumberPick.FromSeries("+1415", 2), Ct);
        var tooMany = await NumberMoves.ReserveAsync(db, Actor, Now, _world.Acme.Id, "VIP", NumberPick.FromSeries("+1415", 2), Ct);

        Assert.True(reserved.Succeeded, reserved.Error);
        Assert.Equal("Acme has only 1 Available number starting +1415; you asked for 2.", tooMany.Error);
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(2, await check.Numbers.CountAsync(n => n.State == NumberState.Reserved && n.ReservationTag == "PORTED", Ct));
        var entry = Assert.Single(await ActivityAsync());
        Assert.Equal((ActivityActions.NumbersReserve, "2 numbers starting +1415 reserved (PORTED) (+14155550000 to +14155550001)."), (entry.Action, entry.Details));

        var released = await NumberMoves.ReleaseAsync(db, Actor, Now, _world.Acme.Id, NumberPick.Named("+14155550000", "+14155550001"), Ct);
        var notReserved = await NumberMoves.ReleaseAsync(db, Actor, Now, _world.Acme.Id, NumberPick.Named("+14155550002"), Ct);

        Assert.True(released.Succeeded, released.Error);
        Assert.Equal("+14155550002 is available; only Reserved numbers can be made Available again.", notReserved.Error);
        var entries = await ActivityAsync();
        Assert.Equal([ActivityActions.NumbersReserve, ActivityActions.NumbersRelease], entries.Select(e => e.Action));
        Assert.Equal("2 numbers made Available again (+14155550000 to +14155550001).", entries[1].Details);
    }

    [Fact]
    public async Task AnAllocationAndAnImportRacingForTheSameNumbersNeverBothGetANumber()
    {
        var team2 = _world.AddOrganization("Team 2", _world.Acme);
        AddNumbers(_world.Acme, "+1415555", 40);
        await using var host = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 5);
        var rows = Enumerable.Range(0, 40).Select(i => CsvFiles.Row($"racer{i}@acme.example", number: $"+1415555{i:D4}")).ToArray();
        var validation = await host.Validator.ValidateAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(CsvFiles.Lines([CsvFiles.Header, .. rows]))),
            _world.Target(team2), Ct);
        Assert.Equal(40, validation.ValidRows.Count());

        var import = Task.Run(async () =>
        {
            var submitted = await host.Submission.SubmitAsync(new MultiLine.Core.Batches.ImportRequest(validation, _world.Target(team2), "race.csv", false, true, MultiLine.Tests.TestActors.Admin), Ct);
            return await host.WaitUntilFinishedAsync(submitted.BatchId!.Value);
        }, Ct);
        var allocations = Task.Run(async () =>
        {
            var moved = 0;
            for (var i = 0; i < 8; i++)
            {
                await using var db = Scoped(_world.Acme);
                var result = await NumberMoves.AllocateAsync(db, Actor, Now, _world.Acme.Id, _world.Team.Id, "+1415", 5, Ct);
                moved += result.Count;
            }
            return moved;
        }, Ct);
        var batch = await import;
        var allocated = await allocations;

        await using var check = _world.Database.CreateDbContext();
        var numbers = await check.Numbers.AsNoTracking().Select(n => new { n.E164, n.OrganizationId, n.AccountId }).ToListAsync(Ct);
        var accounts = await check.Accounts.AsNoTracking().Where(a => a.OrganizationId == team2.Id).Select(a => a.Id).ToListAsync(Ct);
        Assert.Equal(40, numbers.Count);
        // Every number is either in Team (allocated) and held by no one, or held by exactly one of Team 2's accounts from Acme.
        Assert.All(numbers.Where(n => n.OrganizationId == _world.Team.Id), n => Assert.Null(n.AccountId));
        Assert.All(numbers.Where(n => n.AccountId is not null), n => Assert.Equal(_world.Acme.Id, n.OrganizationId));
        Assert.Equal(allocated, numbers.Count(n => n.OrganizationId == _world.Team.Id));
        Assert.Equal(batch.Succeeded, numbers.Count(n => n.AccountId is not null));
        Assert.Equal(batch.Succeeded, accounts.Count);
        Assert.Equal(40, batch.Succeeded + batch.Failed);
        Assert.Equal(40, allocated + batch.Succeeded + numbers.Count(n => n.OrganizationId == _world.Acme.Id && n.AccountId is null));
    }
}
