using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Tests.Batches;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Numbers;

/// <summary>"tag:PORTED" in the multiline_number column, and the utilization alert.</summary>
public sealed class ReservedTagAndUtilizationTests : IDisposable
{
    private static readonly ActivityActor Actor = new(1, "Ada Admin", null, ActivitySource.Portal);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ImportWorld _world = new();

    public void Dispose() => _world.Dispose();

    private static string Csv(params string[] rows) => CsvFiles.Lines([CsvFiles.Header, .. rows]);

    [Fact]
    public async Task RowsAskingForATagBeyondTheReservedNumbersLeftAreRefusedInTheAdminsWords()
    {
        _world.AddNumber(_world.Acme, "+14155550100", NumberState.Reserved, "PORTED");
        _world.AddNumber(_world.Root, "+14155550101", NumberState.Reserved, "PORTED");
        _world.AddNumber(_world.Other, "+14155550102", NumberState.Reserved, "PORTED");
        _world.AddNumber(_world.Acme, "+14155550103", NumberState.Reserved, "VIP");

        var result = await _world.ValidateAsync(Csv(
            CsvFiles.Row("a@example.com", number: "tag:PORTED"), CsvFiles.Row("b@example.com", number: "TAG: ported"),
            CsvFiles.Row("c@example.com", number: "tag:PORTED"), CsvFiles.Row("d@example.com", number: "tag:"),
            CsvFiles.Row("e@example.com", number: "tag:VIP")));

        Assert.Equal(
            ["Row 4, multiline_number: no Reserved number with tag PORTED is left (3 rows ask for it, 2 are left).",
             "Row 5, multiline_number: \"tag:\": A reservation needs a tag, such as PORTED. Write tag: and the tag, such as tag:PORTED."],
            result.RowProblems.Where(p => p.IsError).Select(p => p.Text));
        Assert.Equal("tag:PORTED", result.Rows[1].Draft!.MultiLineNumber);
        Assert.Equal(0, result.Capacity!.RowsWithoutNumber);
    }

    [Fact]
    public async Task TwoBatchesAskingForTheSameTagNeverGetTheSameNumberAndTheAccountHoldsItAssigned()
    {
        for (var i = 0; i < 6; i++)
            _world.AddNumber(_world.Acme, $"+1415555010{i}", NumberState.Reserved, "PORTED");
        var team2 = _world.AddOrganization("Team 2", _world.Acme);
        await using var host = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 2);
        // Both files are checked while the six are Reserved, as two admins' previews would be, then both are committed:
        // checked and committed one after the other, the worker could take four numbers before the second check, which
        // would then refuse two rows itself.
        var firstFile = Csv([.. Enumerable.Range(0, 4).Select(i => CsvFiles.Row($"t{i}@acme.example", number: "tag:PORTED"))]);
        var secondFile = Csv([.. Enumerable.Range(0, 4).Select(i => CsvFiles.Row($"u{i}@acme.example", number: "tag:PORTED"))]);
        var firstCheck = await host.CheckAsync(firstFile, _world.Target(_world.Team));
        var secondCheck = await host.CheckAsync(secondFile, _world.Target(team2));
        Assert.Equal((4, 4), (firstCheck.Counts.Valid, secondCheck.Counts.Valid));
        var first = await host.SubmitAsync(firstCheck, _world.Target(_world.Team));
        var second = await host.SubmitAsync(secondCheck, _world.Target(team2));

        var batches = new[] { await host.WaitUntilFinishedAsync(first), await host.WaitUntilFinishedAsync(second) };

        Assert.Equal(6, batches.Sum(b => b.Succeeded));
        Assert.Equal(2, batches.Sum(b => b.Failed));
        await using var check = _world.Database.CreateDbContext();
        var numbers = await check.Numbers.AsNoTracking().ToListAsync(Ct);
        Assert.All(numbers, n => Assert.Equal((NumberState.Assigned, (string?)null), (n.State, n.ReservationTag)));
        Assert.Equal(6, numbers.Select(n => n.AccountId).Distinct().Count());
        var failed = await check.BatchRows.AsNoTracking().Where(r => r.Outcome == RowOutcome.Failed).Select(r => r.Reason).ToListAsync(Ct);
        Assert.All(failed, reason => Assert.Equal("No Reserved number with tag PORTED is left; they were taken after the file was checked.", reason));
    }

    [Fact]
    public async Task UtilizationCountsStatesAndNumbersAllocatedToSubOrganizations()
    {
        _world.AddNumber(_world.Acme, "+14155550100");
        _world.AddNumber(_world.Acme, "+14155550101", NumberState.Reserved, "PORTED");
        _world.AddNumber(_world.Acme, "+14155550102", NumberState.Assigned, accountId: _world.AddAccount(_world.Acme, "a@acme.example"));
        _world.AddNumber(_world.Team, "+14155550103");
        _world.AddNumber(_world.Other, "+14155550104");
        await using var db = _world.Database.CreateDbContext().WithScope(_world.AcmeAdmin);

        var utilization = (await NumberUtilization.ForAsync(db, _world.Acme.Id, Ct))!;

        Assert.Equal((1, 1, 1, 0, 1), (utilization.Available, utilization.Reserved, utilization.Assigned, utilization.Registered, utilization.AllocatedToSubOrganizations));
        Assert.Equal(75, utilization.UsedPercent);
        Assert.Equal("3 of 4 numbers in use (75 %)", utilization.Describe());
    }

    [Fact]
    public async Task TheDesignatedAdminsAreEmailedOncePerCrossingOfTheThreshold()
    {
        await using (var db = _world.Database.CreateDbContext())
        {
            var role = new Role { Name = "Org admin", Privileges = Privileges.All };
            var admin = new Admin { Email = "lead@acme.example", NormalizedEmail = "LEAD@ACME.EXAMPLE", DisplayName = "Team Lead", Role = role };
            db.Admins.Add(admin);
            await db.SaveChangesAsync(Ct);
            db.DesignatedAdmins.Add(new DesignatedAdmin { OrganizationId = _world.Acme.Id, AdminId = admin.Id });
            await db.SaveChangesAsync(Ct);
        }
        for (var i = 0; i < 4; i++)
            _world.AddNumber(_world.Acme, $"+1415555010{i}");
        await using var host = await BatchHost.StartAsync(_world.Database);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var alerts = new NumberUtilizationAlerts(_world.Database.System, host.Services.GetRequiredService<NotificationComposer>(),
            host.Services.GetRequiredService<IPortalLinks>(), clock);
        await using (var db = _world.Database.CreateDbContext().WithScope(_world.AcmeAdmin))
            Assert.True((await NumberUtilization.SetThresholdAsync(db, Actor, clock.GetUtcNow().UtcDateTime, _world.Acme.Id, 50, Ct)).Succeeded);

        async Task<int> EmailsAsync()
        {
            await using var db = _world.Database.CreateDbContext();
            return await db.EmailMessages.CountAsync(m => m.Kind == EmailKind.Notification, Ct);
        }
        async Task ReserveAsync(string e164, bool reserve)
        {
            await using var db = _world.Database.CreateDbContext().WithScope(_world.AcmeAdmin);
            var result = reserve
                ? await NumberMoves.ReserveAsync(db, Actor, clock.GetUtcNow().UtcDateTime, _world.Acme.Id, "HOLD", NumberPick.Named(e164), Ct)
                : await NumberMoves.ReleaseAsync(db, Actor, clock.GetUtcNow().UtcDateTime, _world.Acme.Id, NumberPick.Named(e164), Ct);
            Assert.True(result.Succeeded, result.Error);
        }

        Assert.Equal(0, await alerts.CheckAllAsync(Ct));           // 0 %
        await ReserveAsync("+14155550100", true);
        await ReserveAsync("+14155550101", true);                 // 50 %: crossed
        Assert.Equal(1, await alerts.CheckAllAsync(Ct));
        Assert.Equal(0, await alerts.CheckAllAsync(Ct));           // still above: no second email
        await ReserveAsync("+14155550101", false);                // 25 %: armed again
        Assert.Equal(0, await alerts.CheckAllAsync(Ct));
        await ReserveAsync("+14155550101", true);                 // crossed again
        Assert.Equal(1, await alerts.CheckAllAsync(Ct));

        Assert.Equal(2, await EmailsAsync());
        await using var check = _world.Database.CreateDbContext();
        var email = await check.EmailMessages.AsNoTracking().FirstAsync(m => m.Kind == EmailKind.Notification, Ct);
        Assert.Equal(("lead@acme.example", "Acme is running out of MultiLine numbers: 50 % in use"), (email.ToAddress, email.Subject));
        Assert.Contains("In use: 50 % (2 of 4)", email.TextBody);
        Assert.Contains("/numbers/utilization", email.TextBody);
        var threshold = Assert.Single(await check.ActivityEntries.AsNoTracking().Where(e => e.Action == ActivityActions.NumbersThreshold).ToListAsync(Ct));
        Assert.Equal("Number utilization alert: Off → Alert at 50 %", threshold.Details);
    }
}
