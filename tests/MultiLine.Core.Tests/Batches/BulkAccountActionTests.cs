using MultiLine.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Numbers;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Batches;

/// <summary>Suspend, Unsuspend, Delete and bulk Edit as batches, on ticked accounts or on every account matching a filter.</summary>
public sealed class BulkAccountActionTests : IDisposable
{
    private readonly ImportWorld _world = new();
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    private AdminScope RootAdmin => new(7, _world.Root.Path, Privileges.All);

    private async Task<SubmitResult> SubmitAsync(BatchHost host, BulkAccountAction action, AccountSelection selection, AdminScope? scope = null)
    {
        await using var db = _world.Database.CreateDbContext();
        return await host.Services.GetRequiredService<AccountBatchSubmission>().SubmitAsync(db.WithScope(scope ?? _world.AcmeAdmin), action, selection, TestActors.Admin with { AdminName = "Bulk Admin" }, Ct);
    }

    private async Task<(BatchOperation Batch, List<BatchRow> Rows)> RunAsync(BatchHost host, BulkAccountAction action, AccountSelection selection, AdminScope? scope = null)
    {
        var submitted = await SubmitAsync(host, action, selection, scope);
        Assert.True(submitted.Succeeded, submitted.Error);
        var batch = await host.WaitUntilFinishedAsync(submitted.BatchId!.Value);
        await using var db = _world.Database.CreateDbContext();
        return (batch, await db.BatchRows.Where(r => r.BatchOperationId == batch.Id).OrderBy(r => r.RowNumber).ToListAsync(Ct));
    }

    private async Task<Account?> AccountAsync(int id)
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.Accounts.Include(a => a.Number).SingleOrDefaultAsync(a => a.Id == id, Ct);
    }

    private async Task<List<ActivityEntry>> EntriesAsync(string action)
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.ActivityEntries.Where(e => e.Action == action).OrderBy(e => e.Id).ToListAsync(Ct);
    }

    [Fact]
    public async Task SuspendSuspendsEachAccountWithItsEntryAndSkipsOneAlreadySuspended()
    {
        var active = _world.AddAccount(_world.Acme, "active@acme.example", AccountStatus.Active);
        var suspended = _world.AddAccount(_world.Acme, "gone@acme.example", AccountStatus.Suspended);
        var invited = _world.AddAccount(_world.Team, "invited@team.example", AccountStatus.Invited);
        await using var host = await BatchHost.StartAsync(_world.Database);

        var (batch, rows) = await RunAsync(host, BulkAccountAction.Suspend(), AccountSelection.Ticked([active, suspended, invited]));

        Assert.Equal((BatchKind.Suspend, BatchState.Completed, 2, 1, _world.Acme.Id), (batch.Kind, batch.State, batch.Succeeded, batch.Skipped, batch.OrganizationId));
        Assert.Equal([RowOutcome.Succeeded, RowOutcome.Skipped, RowOutcome.Succeeded], rows.Select(r => r.Outcome));
        Assert.Equal("The account is already suspended.", rows[1].Reason);
        Assert.Equal(AccountStatus.Suspended, (await AccountAsync(active))!.Status);
        Assert.Equal(AccountStatus.Invited, (await AccountAsync(invited))!.StatusBeforeSuspension);
        var entries = await EntriesAsync(ActivityActions.AccountSuspend);
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal((ActivitySource.Batch, "Bulk Admin", (int?)1), (e.Source, e.AdminName, e.AdminId)));
        Assert.Equal("Status: Invited → Suspended", entries.Single(e => e.TargetId == AccountLifecycle.Key(invited)).Details);
    }

    [Fact]
    public async Task TheReportListsEachRowsOutcomeAndReason()
    {
        var active = _world.AddAccount(_world.Acme, "active@acme.example", AccountStatus.Active);
        _world.AddNumber(_world.Acme, "+12125550109", NumberState.Registered, accountId: active);
        var suspended = _world.AddAccount(_world.Acme, "gone@acme.example", AccountStatus.Suspended);
        await using var host = await BatchHost.StartAsync(_world.Database);
        var (batch, _) = await RunAsync(host, BulkAccountAction.Suspend(), AccountSelection.Ticked([active, suspended]));

        await using var db = _world.Database.CreateDbContext();
        using var output = new MemoryStream();
        await Core.Reports.ReportCsvWriter.WriteAsync(db, batch.Id, output, Ct);

        var lines = System.Text.Encoding.UTF8.GetString(output.ToArray()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("1,,,active@acme.example,'+12125550109,Succeeded,active@acme.example is suspended. It keeps its number; unsuspend returns it to Active.,", lines[1]);
        Assert.Equal("2,,,gone@acme.example,,Skipped,The account is already suspended.,", lines[2]);
        Assert.Equal("Suspend accounts", BatchStates.Label(batch.Kind));
    }

    [Fact]
    public async Task UnsuspendReturnsEachAccountToItsFormerStatusAndSkipsOnesNotSuspended()
    {
        var active = _world.AddAccount(_world.Acme, "active@acme.example", AccountStatus.Active);
        var invited = _world.AddAccount(_world.Acme, "invited@acme.example", AccountStatus.Invited);
        await using var host = await BatchHost.StartAsync(_world.Database);
        await RunAsync(host, BulkAccountAction.Suspend(), AccountSelection.Ticked([invited]));

        var (batch, rows) = await RunAsync(host, BulkAccountAction.Unsuspend(), AccountSelection.Ticked([invited, active]));

        Assert.Equal((BatchKind.Unsuspend, 1, 1), (batch.Kind, batch.Succeeded, batch.Skipped));
        Assert.Equal(AccountStatus.Invited, (await AccountAsync(invited))!.Status);
        Assert.Equal("The account is active; only a suspended account can be unsuspended.", rows[1].Reason);
        Assert.Single(await EntriesAsync(ActivityActions.AccountUnsuspend));
    }

    [Fact]
    public async Task DeleteReleasesTheNumbersOrKeepsThemReservedWithTheTag()
    {
        var released = _world.AddAccount(_world.Acme, "released@acme.example", AccountStatus.Invited);
        _world.AddNumber(_world.Acme, "+12125550101", NumberState.Assigned, accountId: released);
        var kept = _world.AddAccount(_world.Acme, "kept@acme.example", AccountStatus.Active);
        _world.AddNumber(_world.Acme, "+12125550102", NumberState.Registered, accountId: kept);
        await using var host = await BatchHost.StartAsync(_world.Database);

        var (first, firstRows) = await RunAsync(host, BulkAccountAction.Delete(new AccountDeletion(NumberDisposition.Release)), AccountSelection.Ticked([released]));
        var (second, _) = await RunAsync(host, BulkAccountAction.Delete(new AccountDeletion(NumberDisposition.Reserve, "ported")), AccountSelection.Ticked([kept]));

        Assert.Equal((BatchKind.Delete, BatchState.Completed), (first.Kind, first.State));
        Assert.Equal(BatchState.Completed, second.State);
        Assert.Equal("released@acme.example is deleted; number +12125550101 released to Available.", firstRows[0].Reason);
        Assert.Equal((NumberDisposition.Reserve, "ported"), (BulkAccountAction.Of(second).Deletion!.Number, BulkAccountAction.Of(second).Deletion!.Tag));
        Assert.Null(await AccountAsync(released));
        Assert.Null(await AccountAsync(kept));
        await using var db = _world.Database.CreateDbContext();
        var numbers = await db.Numbers.OrderBy(n => n.E164).Select(n => new { n.State, n.ReservationTag, n.AccountId }).ToListAsync(Ct);
        Assert.Equal((NumberState.Available, null, null), (numbers[0].State, numbers[0].ReservationTag, numbers[0].AccountId));
        Assert.Equal((NumberState.Reserved, "PORTED", null), (numbers[1].State, numbers[1].ReservationTag, numbers[1].AccountId));
        Assert.Equal(2, (await EntriesAsync(ActivityActions.AccountDelete)).Count);
        Assert.Equal("Numbers kept Reserved (PORTED)", (await BatchQueries.FindAsync(db, second.Id, Ct))!.ActionDetails);
        Assert.Equal("Numbers released to Available", (await BatchQueries.FindAsync(db, first.Id, Ct))!.ActionDetails);
    }

    [Fact]
    public async Task ADeleteThatKeepsNumbersReservedNeedsATagAndStoresNothingWithoutOne()
    {
        var id = _world.AddAccount(_world.Acme, "kept@acme.example", AccountStatus.Active);
        await using var host = await BatchHost.StartAsync(_world.Database);

        var refused = await SubmitAsync(host, BulkAccountAction.Delete(new AccountDeletion(NumberDisposition.Reserve, " ")), AccountSelection.Ticked([id]));

        Assert.Equal("A reservation needs a tag, such as PORTED.", refused.Error);
        await using var db = _world.Database.CreateDbContext();
        Assert.Empty(await db.Batches.ToListAsync(Ct));
    }

    [Fact]
    public async Task BulkEditAppliesTheSettingsThroughTheSingleEditsRulesRowByRow()
    {
        var acme = _world.AddAccount(_world.Acme, "one@acme.example", AccountStatus.Active);
        var root = _world.AddAccount(_world.Root, "two@root.example", AccountStatus.Invited);
        var already = _world.AddAccount(_world.Acme, "three@acme.example");
        await using (var db = _world.Database.CreateDbContext())
        {
            var account = await db.Accounts.SingleAsync(a => a.Id == already, Ct);
            (account.MonitorCalls, account.SocialMessaging, account.Language) = (MonitorCalls.Auto, true, Language.German);
            await db.SaveChangesAsync(Ct);
        }
        await using var host = await BatchHost.StartAsync(_world.Database);

        var settings = new AccountSettingsChange(MonitorCalls: MonitorCalls.Auto, SocialMessaging: true, Language: Language.German);
        var (batch, rows) = await RunAsync(host, BulkAccountAction.EditSettings(settings), AccountSelection.Ticked([acme, root, already]), RootAdmin);

        Assert.Equal((BatchKind.EditSettings, BatchState.CompletedWithErrors, _world.Root.Id), (batch.Kind, batch.State, batch.OrganizationId));
        Assert.Equal([RowOutcome.Succeeded, RowOutcome.Failed, RowOutcome.Skipped], rows.Select(r => r.Outcome));
        Assert.Equal("Saved. Social messaging: off → on; Monitor calls: off → auto; Language: English → German.", rows[0].Reason);
        Assert.Contains("social_messaging", rows[1].Reason);
        var edited = (await AccountAsync(acme))!;
        Assert.Equal((MonitorCalls.Auto, true, Language.German), (edited.MonitorCalls, edited.SocialMessaging, edited.Language));
        var untouched = (await AccountAsync(root))!;
        Assert.Equal((MonitorCalls.Off, Language.English), (untouched.MonitorCalls, untouched.Language));
        var entry = Assert.Single(await EntriesAsync(ActivityActions.AccountEdit));
        Assert.Equal((AccountLifecycle.Key(acme), ActivitySource.Batch), (entry.TargetId, entry.Source));
    }

    [Fact]
    public async Task BulkEditRefusesAPermissionGroupTheAccountsOrganizationCannotUse()
    {
        var acme = _world.AddAccount(_world.Acme, "one@acme.example");
        var root = _world.AddAccount(_world.Root, "two@root.example");
        await using var host = await BatchHost.StartAsync(_world.Database);

        var (_, rows) = await RunAsync(host, BulkAccountAction.EditSettings(new AccountSettingsChange(PermissionGroupId: _world.MessagingOnly.Id)),
            AccountSelection.Ticked([acme, root]), RootAdmin);

        Assert.Equal([RowOutcome.Succeeded, RowOutcome.Failed], rows.Select(r => r.Outcome));
        Assert.Equal("Saved. User Permissions: Standard → Messaging only.", rows[0].Reason);
        Assert.Equal("User Permissions \"Messaging only\" is not available to Root.", rows[1].Reason);
        Assert.Equal(_world.MessagingOnly.Id, (await AccountAsync(acme))!.PermissionGroupId);
        await using var db = _world.Database.CreateDbContext();
        var batch = await db.Batches.SingleAsync(Ct);
        Assert.Equal("Settings: User Permissions: Messaging only", (await BatchQueries.FindAsync(db, batch.Id, Ct))!.ActionDetails);
    }

    [Fact]
    public async Task TheFilterIsEvaluatedAgainWhenTheBatchIsCommitted()
    {
        _world.AddAccount(_world.Acme, "sales.one@acme.example");
        var renamed = _world.AddAccount(_world.Acme, "sales.two@acme.example");
        _world.AddAccount(_world.Acme, "support@acme.example");
        _world.AddAccount(_world.Other, "sales@other.example");
        var search = new AccountSearch(Text: "sales");
        await using var host = await BatchHost.StartAsync(_world.Database);
        AccountSelectionSummary counted;
        await using (var db = _world.Database.CreateDbContext())
            counted = await AccountSelectionSummary.CountAsync(db.WithScope(_world.AcmeAdmin), AccountSelection.Matching(search), Ct);

        // Between the count and the commit: one more account matches, one no longer does.
        var added = _world.AddAccount(_world.Team, "sales.three@team.example");
        await using (var db = _world.Database.CreateDbContext())
        {
            var account = await db.Accounts.SingleAsync(a => a.Id == renamed, Ct);
            (account.Username, account.NormalizedUsername) = ("helpdesk@acme.example", "helpdesk@acme.example");
            await db.SaveChangesAsync(Ct);
        }
        var (batch, rows) = await RunAsync(host, BulkAccountAction.Suspend(), AccountSelection.Matching(search));

        Assert.Equal(2, counted.Total);
        Assert.Equal(["sales.one@acme.example", "sales.three@team.example"], rows.Select(r => r.Username));
        Assert.Equal(added, rows[1].TargetAccountId);
        Assert.Equal((2, 2), (batch.TotalRows, batch.Succeeded));
    }

    [Fact]
    public async Task AFilterStreamsEveryMatchingAccountIntoTheBatchInChunks()
    {
        var count = AccountBatchSubmission.ChunkSize + 7;
        _world.AddAccounts(_world.Acme, Enumerable.Range(1, count).Select(i => $"user{i:D5}@acme.example"), AccountStatus.Invited);
        await using var host = await BatchHost.StartAsync(_world.Database);
        await using var db = _world.Database.CreateDbContext();
        var scoped = db.WithScope(_world.AcmeAdmin);
        var submission = host.Services.GetRequiredService<AccountBatchSubmission>();
        await host.StopAsync();

        var submitted = await submission.SubmitAsync(scoped, BulkAccountAction.Unsuspend(), AccountSelection.Matching(new AccountSearch(Status: AccountStatus.Invited)), TestActors.Admin with { AdminName = "Bulk Admin" }, Ct);

        await using var check = _world.Database.CreateDbContext();
        var batch = await check.Batches.SingleAsync(b => b.Id == submitted.BatchId, Ct);
        Assert.Equal(count, batch.TotalRows);
        Assert.Equal(count, await check.BatchRows.CountAsync(r => r.BatchOperationId == batch.Id && r.TargetAccountId != null, Ct));
        Assert.Equal(count, await check.BatchRows.Where(r => r.BatchOperationId == batch.Id).MaxAsync(r => r.RowNumber, Ct));
    }

    [Fact]
    public async Task TheSelectionIsCountedForTheConfirmation()
    {
        _world.AddAccount(_world.Acme, "active@acme.example", AccountStatus.Active);
        _world.AddAccount(_world.Acme, "suspended@acme.example", AccountStatus.Suspended);
        var holder = _world.AddAccount(_world.Acme, "holder@acme.example", AccountStatus.Invited);
        _world.AddNumber(_world.Acme, "+12125550100", NumberState.Assigned, accountId: holder);
        _world.AddAccount(_world.Acme, "waiting@acme.example");
        _world.AddAccount(_world.Other, "foreign@other.example");
        await using var db = _world.Database.CreateDbContext();

        var summary = await AccountSelectionSummary.CountAsync(db.WithScope(_world.AcmeAdmin), AccountSelection.Matching(new AccountSearch()), Ct);

        Assert.Equal((4, 2, 1, 1, 1), (summary.Total, summary.Pending, summary.PendingWithoutNumber, summary.Active, summary.Suspended));
        Assert.Equal("2 invitations will be sent (earlier links stop working). 2 accounts are active or suspended and will be refused. 1 pending account without a number each need free capacity; a row that cannot get one fails with the reason.",
            summary.Describe(BatchKind.ResendInvitations));
    }

    [Fact]
    public async Task BulkActionsNeedTheBulkOperationsPrivilege()
    {
        var id = _world.AddAccount(_world.Acme, "one@acme.example");
        await using var host = await BatchHost.StartAsync(_world.Database);

        var refused = await SubmitAsync(host, BulkAccountAction.Suspend(), AccountSelection.Ticked([id]), new AdminScope(1, _world.Acme.Path, Privileges.Accounts));

        Assert.Equal((SubmitRefusal.NotAllowed, AccountBatchSubmission.NotAllowed), (refused.Refusal!.Value, refused.Error));
    }

    [Fact]
    public async Task AFilterMatchingNothingInScopeStoresNoBatch()
    {
        _world.AddAccount(_world.Other, "sales@other.example");
        await using var host = await BatchHost.StartAsync(_world.Database);

        var refused = await SubmitAsync(host, BulkAccountAction.Suspend(), AccountSelection.Matching(new AccountSearch(Text: "sales")));

        Assert.Equal(AccountBatchSubmission.NothingMatches, refused.Error);
    }

    public void Dispose() => _world.Dispose();
}
