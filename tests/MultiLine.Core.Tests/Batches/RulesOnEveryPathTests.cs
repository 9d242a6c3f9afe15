using MultiLine.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;
using MultiLine.Core.Reports;
using MultiLine.Core.Tests.Accounts;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Batches;

/// <summary>The rules of DOMAIN.md on the paths beside the happy one: commit after a preview, the worker, Move, Resend, races, the report.</summary>
public sealed class RulesOnEveryPathTests : IDisposable
{
    private readonly ImportWorld _world = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ImportUpload Upload(params string[] rows) =>
        new("accounts.csv", CsvFiles.Utf8(CsvFiles.Lines([CsvFiles.Header, .. rows])));

    private async Task SetAsync(Action<MultiLine.Core.Organizations.Organization> change, MultiLine.Core.Organizations.Organization organization)
    {
        await using var db = _world.Database.CreateDbContext();
        var tracked = await db.Organizations.SingleAsync(o => o.Id == organization.Id, Ct);
        change(tracked);
        await db.SaveChangesAsync(Ct);
    }

    [Fact]
    public async Task ACommitAfterTheOrganizationSwitchedSocialMessagingOffIsRefusedWithTheChangeInTheAdminsWords()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var import = host.Services.GetRequiredService<AccountImport>();
        var upload = Upload(CsvFiles.Row("social@acme.example", social: "Yes"), CsvFiles.Row("plain@acme.example"));
        ImportCheck preview;
        await using (var db = _world.Database.CreateDbContext())
            preview = await import.PreviewAsync(db, upload, _world.Target(), Ct);
        Assert.Equal(2, preview.Validation.Counts.Valid);

        await SetAsync(o => o.SocialMessagingEnabled = false, _world.Acme);
        var outcome = await import.CommitAsync(new ImportCommand(upload, _world.Target(), false, false, TestActors.Admin, preview.Validation), Ct);

        Assert.False(outcome.Succeeded);
        Assert.Equal(SubmitRefusal.ChangedSincePreview, outcome.Result.Refusal);
        Assert.Contains("since you checked the file, 1 thing changed. Row 2, social_messaging: \"Yes\" is not allowed: organization Acme does not have social messaging.", outcome.Result.Error);
        Assert.Equal(1, outcome.Validation.Counts.Invalid);
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(0, await check.Batches.CountAsync(Ct));
        Assert.Equal(0, await check.Accounts.CountAsync(a => a.SocialMessaging, Ct));
    }

    [Fact]
    public async Task TheApiCommitValidatesAgainstTheDatabaseAsItIsThen()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var import = host.Services.GetRequiredService<AccountImport>();
        await SetAsync(o => o.SocialMessagingEnabled = false, _world.Acme);

        var outcome = await import.CommitAsync(new ImportCommand(
            Upload(CsvFiles.Row("social@acme.example", social: "Yes"), CsvFiles.Row("plain@acme.example")), _world.Target(), false, true, TestActors.Admin with { AdminName = "API" }), Ct);
        var batch = await host.WaitUntilFinishedAsync(outcome.Result.BatchId!.Value);

        Assert.Equal((BatchState.CompletedWithErrors, 1, 1), (batch.State, batch.Succeeded, batch.Failed));
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(0, await check.Accounts.CountAsync(a => a.SocialMessaging, Ct));
    }

    [Fact]
    public async Task TheWorkerAppliesASettingThatChangedAfterTheCommit()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var csv = CsvFiles.Lines([CsvFiles.Header, CsvFiles.Row("social@acme.example", social: "Yes"), CsvFiles.Row("plain@acme.example")]);
        // Checked and committed while Acme had social messaging; switched off before the worker reaches the rows.
        var checkedFile = await host.Validator.ValidateAsync(new MemoryStream(CsvFiles.Utf8(csv)), _world.Target(), Ct);
        await SetAsync(o => o.SocialMessagingEnabled = false, _world.Acme);

        var submitted = await host.Submission.SubmitAsync(new ImportRequest(checkedFile, _world.Target(), "accounts.csv", false, false, TestActors.Admin), Ct);
        var batch = await host.WaitUntilFinishedAsync(submitted.BatchId!.Value);

        Assert.Equal((BatchState.CompletedWithErrors, 1, 1), (batch.State, batch.Succeeded, batch.Failed));
        await using var check = _world.Database.CreateDbContext();
        var failed = await check.BatchRows.SingleAsync(r => r.BatchOperationId == batch.Id && r.Outcome == RowOutcome.Failed, Ct);
        Assert.Equal("social_messaging: \"Yes\" is not allowed: organization Acme does not have social messaging. (The organization's settings changed after the file was checked.)", failed.Reason);
        Assert.Equal(0, await check.Accounts.CountAsync(a => a.SocialMessaging, Ct));
    }

    [Fact]
    public async Task ThePreviewWarnsAboutRowsThatWouldImportButNotBeInvitedAndTheBatchEndsWithWarnings()
    {
        await SetAsync(o => o.AllowedEmailDomains = ["acme.example"], _world.Acme);
        for (var i = 0; i < 5; i++)
            _world.AddNumber(_world.Acme, $"+1212555{i:D4}");
        await using var host = await BatchHost.StartAsync(_world.Database);
        var csv = CsvFiles.Lines([CsvFiles.Header, CsvFiles.Row("ok@acme.example"), CsvFiles.Row("out@elsewhere.example"), CsvFiles.Row("+1 415 555 0100")]);

        var preview = await _world.ValidateAsync(csv);
        Assert.Equal(new ImportCounts(3, 3, 0, 2), preview.Counts);
        Assert.Equal([
            $"Row 3, email address or device: {ImportValidator.NotInvited} Invitations of Acme may only go to acme.example; elsewhere.example is not allowed.",
            $"Row 4, email address or device: {ImportValidator.NotInvited} {InvitationRules.NeedsEmailAddress}",
        ], preview.RowProblems.Select(p => p.Text));

        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(csv, _world.Target(), invite: true));

        Assert.Equal((BatchState.CompletedWithWarnings, 3, 0, 2), (batch.State, batch.Succeeded, batch.Failed, batch.Warnings));
        Assert.Equal("Completed with warnings", BatchStates.Label(batch.State));
    }

    [Fact]
    public async Task MoveAppliesTheDestinationsRulesAndReportsWhatChanged()
    {
        var social = _world.AddAccount(_world.Acme, "social@acme.example", AccountStatus.Invited);
        var phone = _world.AddAccount(_world.Acme, "+14155550100", AccountStatus.NotInvited);
        await using (var db = _world.Database.CreateDbContext())
            await db.Accounts.Where(a => a.Id == social).ExecuteUpdateAsync(s => s.SetProperty(a => a.SocialMessaging, true).SetProperty(a => a.RestrictIncomingSocialMessaging, true), Ct);
        var vaultGroup = _world.AddGroup(_world.Vault, "Vault default", MultiLine.Core.Organizations.Features.Sms, isDefault: true);
        for (var i = 0; i < 3; i++)
            _world.AddNumber(_world.Vault, $"+1303555{i:D4}");
        await using var host = await BatchHost.StartAsync(_world.Database);
        await using var scoped = _world.Database.CreateDbContext();

        var plan = await AccountMoves.PlanAsync(scoped, [social, phone], _world.Vault.Id, Ct);
        Assert.Equal("is a phone number; Vault uses SMTP data offload, so it takes only email usernames.", plan!.Candidates.Single(c => c.AccountId == phone).NotMovableReason);
        Assert.Equal(["1 account: social messaging off (Vault does not have it)", "1 account: User Permissions \"Vault default\" (Vault's default)"], plan.ChangeSummary);

        // The phone-number account is moved anyway through a batch (e.g. the setting changed after the dialog): its row fails with the reason.
        var submitted = await host.Services.GetRequiredService<AccountBatchSubmission>().SubmitMoveAsync(scoped, plan with
        {
            Candidates = [.. plan.Candidates.Select(c => c with { NotMovableReason = null })],
        }, TestActors.Admin, Ct);
        var batch = await host.WaitUntilFinishedAsync(submitted.BatchId!.Value);

        await using var check = _world.Database.CreateDbContext();
        var rows = await check.BatchRows.Where(r => r.BatchOperationId == batch.Id).ToDictionaryAsync(r => r.TargetAccountId!.Value, Ct);
        Assert.Equal((RowOutcome.Failed, "The account is a phone number; Vault uses SMTP data offload, so it takes only email usernames."), (rows[phone].Outcome, rows[phone].Reason));
        Assert.Equal((RowOutcome.Succeeded, "Moved to Vault: social messaging off (Vault does not have it); User Permissions \"Vault default\" (Vault's default)."), (rows[social].Outcome, rows[social].Reason));
        var moved = await check.Accounts.SingleAsync(a => a.Id == social, Ct);
        Assert.Equal((_world.Vault.Id, false, false, vaultGroup.Id), (moved.OrganizationId, moved.SocialMessaging, moved.RestrictIncomingSocialMessaging, moved.PermissionGroupId));
        Assert.Equal(_world.Acme.Id, (await check.Accounts.SingleAsync(a => a.Id == phone, Ct)).OrganizationId);
    }

    [Fact]
    public async Task AResendWithoutFreeCapacityLeavesInvitedAccountsWithTheirValidInvitations()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        for (var i = 0; i < 4; i++)
            _world.AddNumber(_world.Acme, $"+1212555{i:D4}");
        var first = await host.WaitUntilFinishedAsync(await host.ImportAsync(
            CsvFiles.Lines([CsvFiles.Header, .. Enumerable.Range(0, 4).Select(i => CsvFiles.Row($"kept{i}@acme.example"))]), _world.Target(), invite: true));
        Assert.Equal(BatchState.Completed, first.State);
        await using (var db = _world.Database.CreateDbContext())
            await db.Numbers.Where(n => n.OrganizationId == _world.Acme.Id).ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Reserved).SetProperty(n => n.ReservationTag, "HELD"), Ct);

        await using var scoped = _world.Database.CreateDbContext();
        var ids = await scoped.Accounts.Where(a => a.Username.StartsWith("kept")).Select(a => a.Id).ToListAsync(Ct);
        var submitted = await host.Services.GetRequiredService<AccountBatchSubmission>().SubmitResendAsync(scoped, ids, TestActors.Admin, Ct);
        var resend = await host.WaitUntilFinishedAsync(submitted.BatchId!.Value);

        Assert.Equal((BatchState.CompletedWithErrors, 4), (resend.State, resend.Failed));
        await using var check = _world.Database.CreateDbContext();
        Assert.All(await check.Accounts.Where(a => ids.Contains(a.Id)).ToListAsync(Ct), a => Assert.Equal(AccountStatus.Invited, a.Status));
        Assert.Equal(4, await check.Invitations.CountAsync(i => ids.Contains(i.AccountId) && i.RevokedAtUtc == null, Ct));
        var reason = (await check.BatchRows.FirstAsync(r => r.BatchOperationId == resend.Id, Ct)).Reason;
        Assert.Contains("still works, so the account stays Invited.", reason);
    }

    [Fact]
    public async Task AUsernameAnotherTransactionCommittedMeanwhileFailsItsRowInsteadOfTheBatch()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var batchId = await host.ImportAsync(CsvFiles.Lines([CsvFiles.Header, CsvFiles.Row("race@acme.example"), CsvFiles.Row("calm@acme.example")]), _world.Target());
        await host.WaitUntilFinishedAsync(batchId);
        // Run the same rows again by hand, with another "transaction" inserting race@ right after the usernames were read.
        await using (var db = _world.Database.CreateDbContext())
        {
            await db.Accounts.ExecuteDeleteAsync(Ct);
            await db.BatchRows.Where(r => r.BatchOperationId == batchId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Outcome, RowOutcome.Pending), Ct);
        }
        var racer = new InsertAfterUsernameLookup("race@acme.example", _world.Acme.Id, _world.Standard.Id);
        var options = new DbContextOptionsBuilder<MultiLineDbContext>(_world.Database.Options).AddInterceptors(racer).Options;
        await using var raced = new MultiLineDbContext(options).WithScope(AdminScope.System);
        await using var transaction = await raced.Database.BeginTransactionAsync(Ct);
        var batch = await raced.Batches.SingleAsync(b => b.Id == batchId, Ct);
        var rows = await raced.BatchRows.Where(r => r.BatchOperationId == batchId).OrderBy(r => r.RowNumber).ToListAsync(Ct);
        var handler = host.Services.CreateScope().ServiceProvider.GetServices<IBatchRowHandler>().OfType<ImportRowHandler>().Single();

        await handler.ProcessAsync(raced, batch, rows, DateTime.UtcNow, Ct);

        Assert.True(racer.Inserted);
        Assert.Equal((RowOutcome.Failed, "\"race@acme.example\" already exists in organization Acme."), (rows[0].Outcome, rows[0].Reason));
        Assert.Equal(RowOutcome.Succeeded, rows[1].Outcome);
    }

    [Fact]
    public async Task TheReportFollowsDeliveryAndShowsTheNumberTheAccountHoldsNow()
    {
        await SetAsync(o => o.AllowedEmailDomains = [], _world.Acme);
        _world.AddNumber(_world.Acme, "+12125550001");
        _world.AddNumber(_world.Acme, "+12125550002");
        await using var host = await BatchHost.StartAsync(_world.Database);
        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(
            CsvFiles.Lines([CsvFiles.Header, CsvFiles.Row("sent@acme.example"), CsvFiles.Row("picked@acme.example")]), _world.Target(), invite: true));
        await using var db = _world.Database.CreateDbContext();
        for (var i = 0; i < 100 && await db.EmailMessages.AnyAsync(m => m.Kind == EmailKind.Invitation && m.State == EmailState.Queued, Ct); i++)
            await Task.Delay(100, Ct);
        // The second account activates and picks a number.
        var picked = await db.Accounts.SingleAsync(a => a.Username == "picked@acme.example", Ct);
        await db.Numbers.Where(n => n.E164 == "+12125550002")
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Registered).SetProperty(n => n.AccountId, picked.Id), Ct);

        using var report = new MemoryStream();
        await ReportCsvWriter.WriteAsync(db, batch.Id, report, Ct);
        var lines = System.Text.Encoding.UTF8.GetString(report.ToArray()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("2,Jane,Doe,sent@acme.example,,Succeeded,,Sent", lines[1]);
        Assert.Equal("3,Jane,Doe,picked@acme.example,'+12125550002,Succeeded,,Sent", lines[2]);
    }

    public void Dispose() => _world.Dispose();
}
