using MultiLine.Tests;
using MultiLine.Core.Activity;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Persistence;
using MultiLine.Core.Tests.Batches;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Accounts;

public sealed class AccountUpdateTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ImportWorld _world = new();

    private AccountUpdate Update(BatchQueue? queue = null) => new(CsvFiles.Reader(), new AccountInputValidator(), queue ?? new BatchQueue(), TimeProvider.System);

    private MultiLineDbContext Scoped(AdminScope? scope = null) => new MultiLineDbContext(_world.Database.Options).WithScope(scope ?? _world.AcmeAdmin);

    private static ImportUpload Upload(string csv) => new("accounts-acme.csv", Encoding.UTF8.GetBytes(csv));

    private async Task<AccountUpdatePreview> PreviewAsync(string csv, AdminScope? scope = null)
    {
        await using var db = Scoped(scope);
        return await Update().PreviewAsync(db, Upload(csv), Ct);
    }

    private async Task<Account> AccountAsync(int id)
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.Accounts.AsNoTracking().SingleAsync(a => a.Id == id, Ct);
    }

    [Fact]
    public async Task ThePreviewSaysWhatEachRowChangesBeforeAndAfter()
    {
        _world.AddAccount(_world.Acme, "jane@acme.example");
        _world.AddAccount(_world.Acme, "same@acme.example");

        var preview = await PreviewAsync(CsvFiles.Lines(
            "email address or device,permission_group,language,monitor_sms",
            "jane@acme.example,Messaging only,Italian,",
            "same@acme.example,Standard,English,off"));

        Assert.Equal(new AccountUpdateCounts(2, 1, 1, 0), preview.Counts);
        var jane = preview.Rows[0];
        Assert.Equal(UpdateRowOutcome.Changes, jane.Outcome);
        Assert.Equal(["User Permissions Standard → Messaging only", "language English → Italian"], jane.Changes.Select(c => c.Text));
        Assert.Equal(UpdateRowOutcome.Unchanged, preview.Rows[1].Outcome);
        Assert.True(preview.CanUpdate);
    }

    [Fact]
    public async Task EmptyCellsLeaveValuesAsTheyAreAndReadOnlyColumnsAreIgnoredWithANote()
    {
        _world.AddAccount(_world.Acme, "jane@acme.example", AccountStatus.Invited);

        var preview = await PreviewAsync(CsvFiles.Lines(
            "firstname,email address or device,status,organization,multiline_number,social_messaging,monitor_calls,language",
            ",jane@acme.example,Active,Other,+13035550000,,,"));

        Assert.Equal(UpdateRowOutcome.Unchanged, Assert.Single(preview.Rows).Outcome);
        Assert.Equal("Columns organization, status and multiline_number are read-only: an update leaves them as they are and ignores their values.",
            Assert.Single(preview.FileWarnings).Text);
    }

    [Fact]
    public async Task UnknownUsernamesAndUsernamesOutsideTheScopeAreRefusedInTheSameWords()
    {
        _world.AddAccount(_world.Other, "outside@other.example");

        var preview = await PreviewAsync(CsvFiles.Lines(
            "email address or device,language",
            "outside@other.example,Italian",
            "nobody@acme.example,Italian"));

        Assert.Equal(new AccountUpdateCounts(2, 0, 0, 2), preview.Counts);
        Assert.Equal("email address or device: \"outside@other.example\": No account with this username exists in your scope.", preview.Rows[0].Reason);
        Assert.Equal("email address or device: \"nobody@acme.example\": No account with this username exists in your scope.", preview.Rows[1].Reason);
        Assert.DoesNotContain("Other", string.Join(" ", preview.Rows.Select(r => r.Reason)));
        Assert.False(preview.CanUpdate);
    }

    [Fact]
    public async Task TheImportsRulesRefuseARowWithTheImportsWords()
    {
        _world.AddAccount(_world.Team, "team@acme.example");
        _world.AddAccount(_world.Acme, "twice@acme.example");

        var preview = await PreviewAsync(CsvFiles.Lines(
            "email address or device,social_messaging,monitor_sms,permission_group",
            "team@acme.example,Yes,,",
            "twice@acme.example,,yes,",
            "twice@acme.example,,,",
            "twice@acme.example,,,Gold"));

        Assert.Equal("social_messaging: \"Yes\" is not allowed: organization Team does not have social messaging.", preview.Rows[0].Reason);
        Assert.Equal("monitor_sms: \"yes\" is not one of on, off.", preview.Rows[1].Reason);
        Assert.Equal("email address or device: \"twice@acme.example\" is also on row 3; each account may be on one row only.", preview.Rows[2].Reason);
        Assert.All(preview.Rows, r => Assert.Equal(UpdateRowOutcome.Refused, r.Outcome));
    }

    [Fact]
    public async Task APermissionGroupMustBeOneTheAccountsOrganizationCanUse()
    {
        _world.AddAccount(_world.Other, "o@other.example");
        var rootAdmin = new AdminScope(1, _world.Root.Path, Privileges.All);

        var preview = await PreviewAsync(CsvFiles.Lines("email address or device,permission_group", "o@other.example,Messaging only"), rootAdmin);

        Assert.Equal("permission_group: \"Messaging only\" is not a User Permissions group of organization Other; use one of Standard.", Assert.Single(preview.Rows).Reason);
    }

    [Fact]
    public void SwitchingSocialMessagingOffClearsTheRestrictFlagAndAGroupOutsideTheOrganizationIsRefused()
    {
        var account = new Account { Username = "a@acme.example", NormalizedUsername = "a@acme.example", PermissionGroupId = _world.Standard.Id, SocialMessaging = true, RestrictIncomingSocialMessaging = true };
        var foreignGroup = new MultiLine.Core.Organizations.PermissionGroup { Id = 999, Name = "Elsewhere" };

        var refused = AccountSettings.Apply(account, new AccountSettingsChange(PermissionGroupId: 999), _world.Acme, [_world.Standard]);
        var off = AccountSettings.Apply(account, new AccountSettingsChange(SocialMessaging: false), _world.Acme, [_world.Standard, foreignGroup]);

        Assert.Equal("The User Permissions group is not available to organization Acme.", refused.Refusal);
        Assert.Equal("social messaging Yes → No; restrict incoming social messaging true → false", off.Summary);
        Assert.False(account.RestrictIncomingSocialMessaging);
    }

    [Fact]
    public async Task TheExportGoesBackAsAnUpdateThatChangesOnlyWhatWasEdited()
    {
        _world.AddAccount(_world.Acme, "+14155550123");
        _world.AddAccount(_world.Acme, "jane@acme.example");
        await using var db = Scoped();
        var file = await AccountExport.PrepareAsync(db, new AccountExportRequest(new AccountSearch(), "Username"), DateTimeOffset.UtcNow, Ct);
        using var output = new MemoryStream();
        await AccountExport.WriteAsync(db, file!, output, Ct);
        var edited = Encoding.UTF8.GetString(output.ToArray()).Replace("jane@acme.example,Acme,Not invited,,Standard,,,off,off,No,false,English",
            "jane@acme.example,Acme,Not invited,,Messaging only,,,off,off,No,false,German");

        var preview = await Update().PreviewAsync(db, new ImportUpload("export.csv", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(edited.TrimStart('\uFEFF'))]), Ct);

        Assert.Equal(new AccountUpdateCounts(2, 1, 1, 0), preview.Counts);
        Assert.Equal("User Permissions Standard → Messaging only; language English → German", preview.Rows.Single(r => r.Outcome == UpdateRowOutcome.Changes).Summary);
        Assert.Equal("+14155550123", preview.Rows.Single(r => r.Outcome == UpdateRowOutcome.Unchanged).Username);
    }

    [Fact]
    public async Task CommittingQueuesAnUpdateBatchWhoseRowsChangeTheAccountsAndReportEveryRow()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var jane = _world.AddAccount(_world.Acme, "jane@acme.example");
        _world.AddAccount(_world.Acme, "same@acme.example");
        var update = Update(host.Services.GetRequiredService<BatchQueue>());
        var csv = CsvFiles.Lines(
            "email address or device,lastname,permission_group,monitor_calls,language",
            "jane@acme.example,Doe-Smith,Messaging only,auto,French",
            "same@acme.example,,,,",
            "nobody@acme.example,,,,Italian");
        await using var db = Scoped();
        var preview = await update.PreviewAsync(db, Upload(csv), Ct);

        var outcome = await update.CommitAsync(db, new AccountUpdateCommand(Upload(csv), TestActors.Admin, preview), Ct);

        Assert.True(outcome.Succeeded, outcome.Result.Error);
        var batch = await host.WaitUntilFinishedAsync(outcome.Result.BatchId!.Value);
        Assert.Equal((BatchKind.Update, BatchState.CompletedWithErrors, 1, 1, 1), (batch.Kind, batch.State, batch.Succeeded, batch.Failed, batch.Skipped));
        var account = await AccountAsync(jane);
        Assert.Equal(("Doe-Smith", _world.MessagingOnly.Id, MonitorCalls.Auto, Language.French), (account.LastName, account.PermissionGroupId, account.MonitorCalls, account.Language));
        await using var check = _world.Database.CreateDbContext();
        var rows = await check.BatchRows.Where(r => r.BatchOperationId == batch.Id).OrderBy(r => r.RowNumber).ToListAsync(Ct);
        Assert.Equal("Changed: last name (empty) → \"Doe-Smith\"; User Permissions Standard → Messaging only; monitor calls off → auto; language English → French.", rows[0].Reason);
        Assert.Equal((RowOutcome.Skipped, AccountUpdate.NothingToChange), (rows[1].Outcome, rows[1].Reason));
        Assert.Equal(RowOutcome.Failed, rows[2].Outcome);
        // The submission is recorded once, naming the batch; the changed account's edit once, on the batch's behalf;
        // the unchanged and refused rows record nothing.
        var entries = await check.ActivityEntries.OrderBy(e => e.Id).ToListAsync(Ct);
        Assert.Equal([ActivityActions.UpdateSubmit, ActivityActions.AccountEdit], entries.Select(e => e.Action));
        Assert.Equal((ActivityTargetKind.Batch, batch.Id.ToString(), ActivitySource.Portal), (entries[0].TargetKind, entries[0].TargetId, entries[0].Source));
        var entry = entries[1];
        Assert.Equal((ActivityActions.AccountEdit, ActivitySource.Batch, "Test Admin", AccountLifecycle.Key(jane)),
            (entry.Action, entry.Source, entry.AdminName, entry.TargetId));
        Assert.Contains("language English → French", entry.Details);
    }

    [Fact]
    public async Task ARowIsCheckedAgainWhenItRunsAndAChangeTheOrganizationNoLongerAllowsFails()
    {
        var jane = _world.AddAccount(_world.Acme, "jane@acme.example");
        var csv = CsvFiles.Lines("email address or device,social_messaging,language", "jane@acme.example,Yes,Spanish");
        var queue = new BatchQueue();
        int batchId;
        await using (var db = Scoped())
        {
            var outcome = await Update(queue).CommitAsync(db, new AccountUpdateCommand(Upload(csv), TestActors.Admin), Ct);
            batchId = outcome.Result.BatchId!.Value;
        }
        await using (var db = _world.Database.CreateDbContext())
        {
            await db.Organizations.Where(o => o.Id == _world.Acme.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.SocialMessagingEnabled, false), Ct);
        }

        await using var host = await BatchHost.StartAsync(_world.Database);
        var batch = await host.WaitUntilFinishedAsync(batchId);

        Assert.Equal(1, batch.Failed);
        var account = await AccountAsync(jane);
        Assert.Equal((false, Language.English), (account.SocialMessaging, account.Language));
    }

    [Fact]
    public async Task CommittingIsRefusedWhenARowFaresDifferentlyThanInThePreview()
    {
        var jane = _world.AddAccount(_world.Acme, "jane@acme.example");
        var csv = CsvFiles.Lines("email address or device,language", "jane@acme.example,Italian");
        await using var db = Scoped();
        var preview = await Update().PreviewAsync(db, Upload(csv), Ct);
        await using (var other = _world.Database.CreateDbContext())
            await other.Accounts.Where(a => a.Id == jane).ExecuteUpdateAsync(s => s.SetProperty(a => a.Language, Language.Italian), Ct);

        var outcome = await Update().CommitAsync(db, new AccountUpdateCommand(Upload(csv), TestActors.Admin, preview), Ct);

        Assert.Equal(SubmitRefusal.ChangedSincePreview, outcome.Result.Refusal);
        Assert.Equal("Nothing was updated: since you checked the file, 1 thing changed. Row 2 no longer changes anything. Check the file again below, then choose Update accounts.",
            outcome.Result.Error);
        Assert.False(await db.Batches.AnyAsync(Ct));
    }

    [Fact]
    public async Task AWarningAboutAValueTheAccountHasAlreadyIsLeftOutOfThePreview()
    {
        _world.AddAccount(_world.Acme, "jane@acme.example");

        var preview = await PreviewAsync(CsvFiles.Lines(
            "email address or device,social_messaging,restrict_incoming_social_messaging,language",
            "jane@acme.example,No,false,Italian"));

        Assert.Empty(preview.Rows[0].Problems);
        Assert.Equal(UpdateRowOutcome.Changes, preview.Rows[0].Outcome);
    }

    [Fact]
    public async Task AnImportSkipsTheExportsHeaderBlockAndIgnoresItsOwnColumnsWithAWarning()
    {
        var result = await _world.ValidateAsync(CsvFiles.Lines(
            "# Report: MultiLine accounts",
            "\"# Generated: 2026-11-26 10:30 Europe/Rome (UTC+01:00)\"",
            "",
            CsvFiles.Header + ",status",
            CsvFiles.Row("new@acme.example") + ",Active"));

        Assert.Equal(1, result.Counts.Valid);
        Assert.Equal("Column \"status\" (K) is not read by an import; its values are ignored.", Assert.Single(result.FileWarnings).Text);
        Assert.Equal(5, result.Rows[0].RowNumber);
    }

    public void Dispose() => _world.Dispose();
}
