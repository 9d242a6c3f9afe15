using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Core.Tests.Batches;
using MultiLine.Core.Tests.Imports;
using MultiLine.Tests;

namespace MultiLine.Core.Tests.Activity;

/// <summary>
/// Each act leaves exactly one activity entry, written with the change (a refusal leaves none), with the actor's name,
/// address and source; the report reads only the scope's entries; the retention deletes what is older than the setting.
/// </summary>
public sealed class ActivityRecordTests : IDisposable
{
    private readonly ImportWorld _world = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<List<ActivityEntry>> EntriesAsync()
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.ActivityEntries.AsNoTracking().OrderBy(e => e.Id).ToListAsync(Ct);
    }

    private MultiLineDbContext Scoped(AdminScope? scope = null) => _world.Database.CreateDbContext().WithScope(scope ?? _world.AcmeAdmin);

    private static void AssertActor(ActivityEntry entry)
    {
        Assert.Equal(("Test Admin", TestActors.Ip, ActivitySource.Portal), (entry.AdminName, entry.ClientIp, entry.Source));
    }

    [Fact]
    public async Task AnImportLeavesOneEntryNamingItsBatchFileAndOrganization()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);

        var batchId = await host.ImportAsync(CsvFiles.Lines(CsvFiles.Header, CsvFiles.Row("ada@acme.example"), CsvFiles.Row("bob@acme.example")), _world.Target());

        var entry = Assert.Single(await EntriesAsync());
        AssertActor(entry);
        Assert.Equal((ActivityActions.ImportSubmit, _world.Acme.Id, ActivityTargetKind.Batch, batchId.ToString()),
            (entry.Action, entry.OrganizationId, entry.TargetKind, entry.TargetId));
        Assert.StartsWith("accounts.csv: 2 rows into Acme", entry.Details);
    }

    [Fact]
    public async Task ASingleAccountLeavesOneEntryAndARefusalNone()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var creation = new SingleAccountCreation(new AccountInputValidator(), host.Services.GetRequiredService<InvitationIssuer>(), _world.Database.System, TimeProvider.System);
        var input = new AccountInput { Username = "solo@acme.example", SocialMessaging = "No", MonitorCalls = "auto", MonitorSms = "on", Language = "English" };
        await using var db = Scoped();

        var created = await creation.CreateAsync(db, new SingleAccountRequest(input, _world.Acme.Id, _world.MessagingOnly.Id, false), TestActors.Admin, Ct);
        var again = await creation.CreateAsync(db, new SingleAccountRequest(input, _world.Acme.Id, _world.MessagingOnly.Id, false), TestActors.Admin, Ct);

        Assert.True(created.Succeeded);
        Assert.False(again.Succeeded);
        var entry = Assert.Single(await EntriesAsync());
        AssertActor(entry);
        Assert.Equal((ActivityActions.AccountCreate, AccountLifecycle.Key(created.AccountId!.Value), "solo@acme.example", _world.Acme.Id),
            (entry.Action, entry.TargetId, entry.TargetName, entry.OrganizationId));
    }

    [Fact]
    public async Task CancellingABatchTwiceLeavesOneEntry()
    {
        int batchId;
        await using (var db = _world.Database.CreateDbContext())
        {
            var batch = new BatchOperation { Kind = BatchKind.Suspend, AdminId = 1, AdminName = "Test Admin", OrganizationId = _world.Acme.Id, TotalRows = 3, CreatedAtUtc = DateTime.UtcNow };
            db.Batches.Add(batch);
            await db.SaveChangesAsync(Ct);
            batchId = batch.Id;
        }
        var queue = new BatchQueue();

        await using (var db = Scoped())
        {
            Assert.True((await BatchCommands.RequestCancelAsync(db, batchId, TestActors.Admin, queue, TimeProvider.System, Ct)).Succeeded);
            Assert.True((await BatchCommands.RequestCancelAsync(db, batchId, TestActors.Admin, queue, TimeProvider.System, Ct)).Succeeded);
        }

        var entry = Assert.Single(await EntriesAsync());
        Assert.Equal((ActivityActions.BatchCancel, batchId.ToString(), _world.Acme.Id), (entry.Action, entry.TargetId, entry.OrganizationId));
        AssertActor(entry);
    }

    [Fact]
    public async Task AddingReservingAndReleasingNumbersLeaveOneEntryEachAndRefusalsNone()
    {
        var now = DateTime.UtcNow;
        await using var db = Scoped();

        Assert.True((await NumberInventory.AddRangeAsync(db, _world.Acme.Id, "+12125550100", 3, TestActors.Admin, now, Ct)).Succeeded);
        Assert.False((await NumberInventory.AddRangeAsync(db, _world.Acme.Id, "+12125550101", 3, TestActors.Admin, now, Ct)).Succeeded);
        var first = NumberPick.Named("+12125550100");
        Assert.True((await NumberMoves.ReserveAsync(db, TestActors.Admin, now, _world.Acme.Id, "ported", first, Ct)).Succeeded);
        Assert.False((await NumberMoves.ReserveAsync(db, TestActors.Admin, now, _world.Acme.Id, "again", first, Ct)).Succeeded);
        Assert.True((await NumberMoves.ReleaseAsync(db, TestActors.Admin, now, _world.Acme.Id, first, Ct)).Succeeded);
        Assert.False((await NumberMoves.ReleaseAsync(db, TestActors.Admin, now, _world.Acme.Id, first, Ct)).Succeeded);

        var entries = await EntriesAsync();
        Assert.Equal([ActivityActions.NumbersAdd, ActivityActions.NumbersReserve, ActivityActions.NumbersRelease], entries.Select(e => e.Action));
        Assert.Equal("Added 3 numbers, +12125550100 to +12125550102", entries[0].Details);
        Assert.All(entries, e => Assert.Equal(_world.Acme.Id, e.OrganizationId));
    }

    [Fact]
    public async Task ASettingsSaveAndATemplateEditLeaveOneEntryEachHoweverManySettingsChanged()
    {
        var actor = new SettingsActor(null, "Test Admin", TestActors.Ip);
        var now = DateTime.UtcNow;
        await using var db = Scoped();

        var saved = await OrganizationSettings.SaveAsync(db, _world.Acme.Id, new OrganizationSettingsForm(false, true, ["acme.example"], []), actor, now, Ct);
        var unchanged = await OrganizationSettings.SaveAsync(db, _world.Acme.Id, new OrganizationSettingsForm(false, true, ["acme.example"], []), actor, now, Ct);
        var template = await InvitationTemplates.SaveAsync(db, _world.Acme.Id, Language.Italian,
            new TemplateContent("Ciao {f_name}", "<p>{activation_link}</p>", "{activation_link}"), actor, now, Ct);

        Assert.True(saved.Changed);
        Assert.False(unchanged.Changed);
        Assert.True(template.Changed);
        var entries = await EntriesAsync();
        Assert.Equal([ActivityActions.SettingsEdit, ActivityActions.InvitationTemplateEdit], entries.Select(e => e.Action));
        Assert.Equal("Social messaging: On → Off; SMTP data offload: Off → On; Allowed email domains: any domain → acme.example", entries[0].Details);
        Assert.All(entries, AssertActor);
    }

    [Fact]
    public async Task CreatingAndRevokingAnApiTokenLeaveOneEntryEachAndNeverTheSecret()
    {
        int adminId;
        await using (var db = _world.Database.CreateDbContext())
        {
            var role = new Role { Name = "Tokens", Privileges = Privileges.All };
            var admin = new Admin { Email = "t@acme.example", NormalizedEmail = "T@ACME.EXAMPLE", DisplayName = "T", Role = role, ScopeOrganizationId = _world.Acme.Id };
            db.Admins.Add(admin);
            await db.SaveChangesAsync(Ct);
            adminId = admin.Id;
        }
        var tokens = new ApiTokens(_world.Database.System, TimeProvider.System);

        var created = await tokens.CreateAsync(adminId, "HR sync", null, TestActors.Admin, Ct);
        Assert.True(await tokens.RevokeAsync(adminId, created.Token.Id, TestActors.Admin, Ct));
        Assert.False(await tokens.RevokeAsync(adminId, created.Token.Id, TestActors.Admin, Ct));

        var entries = await EntriesAsync();
        Assert.Equal([ActivityActions.ApiTokenCreate, ActivityActions.ApiTokenRevoke], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal((_world.Acme.Id, "HR sync", created.Token.Id.ToString()), (e.OrganizationId, e.TargetName, e.TargetId)));
        Assert.DoesNotContain(entries, e => (e.Details ?? "").Contains(created.Secret[8..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task AScopedReportShowsOnlyItsSubtreeAndTheOrganizationFilterTakesSubOrganizations()
    {
        await using (var db = _world.Database.CreateDbContext())
        {
            var now = DateTime.UtcNow;
            foreach (var (organization, name) in new (int?, string)[] { (_world.Acme.Id, "acme"), (_world.Team.Id, "team"), (_world.Other.Id, "other"), (null, "nobody") })
                ActivityLog.Record(db, TestActors.Admin, now, ActivityActions.SignInFailure, organization, ActivityTargetKind.Admin, null, name, null);
            await db.SaveChangesAsync(Ct);
        }

        await using var scoped = Scoped();
        var mine = await ActivityReport.PageAsync(scoped, new ActivityFilter(), new PageRequest(), Ct);
        await using var all = Scoped(AdminScope.System with { AdminId = 1 });
        var team = await ActivityReport.PageAsync(all, new ActivityFilter(OrganizationId: _world.Acme.Id), new PageRequest(), Ct);
        var everything = await ActivityReport.PageAsync(all, new ActivityFilter(), new PageRequest(), Ct);

        Assert.Equal(["acme", "team"], mine.Items.Select(r => r.TargetName!).Order());
        Assert.Equal(2, mine.TotalCount);
        Assert.Equal(["acme", "team"], team.Items.Select(r => r.TargetName!).Order());
        Assert.Equal(["acme", "nobody", "other", "team"], everything.Items.Select(r => r.TargetName!).Order());
        Assert.Equal("Acme", mine.Items.Single(r => r.TargetName == "acme").Organization);
    }

    [Fact]
    public async Task TheRetentionDeletesEntriesOlderThanTheSettingInChunks()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        var now = clock.GetUtcNow().UtcDateTime;
        await using (var db = _world.Database.CreateDbContext())
        {
            for (var i = 0; i < ActivityRetention.ChunkSize + 10; i++)
                ActivityLog.Record(db, TestActors.Admin, now.AddDays(-31).AddMinutes(-i), ActivityActions.SignIn, _world.Acme.Id, ActivityTargetKind.Admin, null, "old", null);
            ActivityLog.Record(db, TestActors.Admin, now.AddDays(-29), ActivityActions.SignIn, _world.Acme.Id, ActivityTargetKind.Admin, null, "recent", null);
            await db.SaveChangesAsync(Ct);
        }
        var retention = new ActivityRetention(_world.Database.System, Options.Create(new ActivityOptions { RetentionDays = 30 }), clock, NullLogger<ActivityRetention>.Instance);

        Assert.Equal(ActivityRetention.ChunkSize + 10, await retention.SweepAsync(Ct));
        Assert.Equal(["recent"], (await EntriesAsync()).Select(e => e.TargetName));

        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(1, await retention.SweepAsync(Ct));
        Assert.Empty(await EntriesAsync());
    }

    public void Dispose() => _world.Dispose();
}
