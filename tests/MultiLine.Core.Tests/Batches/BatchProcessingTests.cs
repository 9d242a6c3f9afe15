using MultiLine.Tests;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Numbers;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Batches;

public sealed class BatchProcessingTests : IDisposable
{
    private readonly ImportWorld _world = new();

    private static string Csv(IEnumerable<string> rows) => CsvFiles.Lines([CsvFiles.Header, .. rows]);

    private void AddNumbers(int count, int start = 0)
    {
        using var db = _world.Database.CreateDbContext();
        db.Numbers.AddRange(Enumerable.Range(start, count).Select(i => new MultiLineNumber { E164 = $"+1212555{i:D4}", OrganizationId = _world.Acme.Id }));
        db.SaveChanges();
    }

    [Fact]
    public async Task AThousandRowImportCreatesEveryAccountAndHoldsTheNamedNumbers()
    {
        AddNumbers(500);
        var rows = Enumerable.Range(0, 1000).Select(i => CsvFiles.Row($"user{i}@acme.example", number: i < 500 ? $"+1212555{i:D4}" : ""));
        await using var host = await BatchHost.StartAsync(_world.Database);

        var batchId = await host.ImportAsync(Csv(rows), _world.Target());
        var batch = await host.WaitUntilFinishedAsync(batchId);

        Assert.Equal((BatchState.Completed, 1000, 1000, 0, 0), (batch.State, batch.TotalRows, batch.Succeeded, batch.Failed, batch.Skipped));
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal(1000, await db.Accounts.CountAsync(a => a.OrganizationId == _world.Acme.Id && a.Status == AccountStatus.NotInvited, TestContext.Current.CancellationToken));
        Assert.Equal(500, await db.Numbers.CountAsync(n => n.State == NumberState.Assigned && n.AccountId != null, TestContext.Current.CancellationToken));
        var row7 = await db.BatchRows.SingleAsync(r => r.BatchOperationId == batchId && r.RowNumber == 9, TestContext.Current.CancellationToken);
        var account7 = await db.Accounts.Include(a => a.Number).SingleAsync(a => a.Id == row7.AccountId, TestContext.Current.CancellationToken);
        Assert.Equal(("user7@acme.example", "+12125550007"), (account7.Username, account7.Number!.E164));
    }

    [Fact]
    public async Task InvalidRowsAreReportedAsFailedAndValidRowsImport()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var csv = Csv([CsvFiles.Row("good@acme.example"), CsvFiles.Row("good2@acme.example", sms: "yes"), CsvFiles.Row("good3@acme.example")]);

        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(csv, _world.Target()));

        Assert.Equal((BatchState.CompletedWithErrors, 2, 1), (batch.State, batch.Succeeded, batch.Failed));
        await using var db = _world.Database.CreateDbContext();
        var failed = await db.BatchRows.SingleAsync(r => r.BatchOperationId == batch.Id && r.Outcome == RowOutcome.Failed, TestContext.Current.CancellationToken);
        Assert.Equal((3, "monitor_sms: \"yes\" is not one of on, off."), (failed.RowNumber, failed.Reason));
    }

    [Fact]
    public async Task AnInvalidRowWithValuesLongerThanTheReportKeepsIsStoredCutAndTheValidRowsStillImport()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var longName = new string('A', 300);
        var csv = Csv([CsvFiles.Row("fine@acme.example"), CsvFiles.Row("long@acme.example", first: longName)]);

        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(csv, _world.Target()));

        Assert.Equal((BatchState.CompletedWithErrors, 1, 1), (batch.State, batch.Succeeded, batch.Failed));
        await using var db = _world.Database.CreateDbContext();
        var failed = await db.BatchRows.SingleAsync(r => r.BatchOperationId == batch.Id && r.Outcome == RowOutcome.Failed, TestContext.Current.CancellationToken);
        Assert.Equal(new string('A', BatchRow.MaxNameLength - 1) + "…", failed.FirstName);
        Assert.StartsWith("firstname: ", failed.Reason);
    }

    [Fact]
    public async Task ImportAndInviteQueuesAnInvitationForEveryImportedAccount()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        AddNumbers(5);

        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(Csv([CsvFiles.Row("a@acme.example"), CsvFiles.Row("b@acme.example")]), _world.Target(), invite: true));

        Assert.Equal(BatchState.Completed, batch.State);
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal(["a@acme.example", "b@acme.example"], await db.Invitations.OrderBy(i => i.Id).Select(i => i.Account!.Username).ToListAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, await db.Accounts.CountAsync(a => a.Status == AccountStatus.Invited, TestContext.Current.CancellationToken));
        Assert.All(await db.BatchRows.Where(r => r.BatchOperationId == batch.Id).ToListAsync(TestContext.Current.CancellationToken),
            r => Assert.Equal(InvitationState.Queued, r.Invitation));
    }

    [Fact]
    public async Task EachInvitationNamesTheNumberItsRowTookOrSaysItIsChosenAtActivation()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        AddNumbers(5);

        var csv = Csv([CsvFiles.Row("with@acme.example", number: "+12125550003"), CsvFiles.Row("without@acme.example")]);
        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(csv, _world.Target(), invite: true));

        Assert.Equal(BatchState.Completed, batch.State);
        await using var db = _world.Database.CreateDbContext();
        var bodies = await db.EmailMessages.Where(m => m.Kind == Core.Invitations.Outbox.EmailKind.Invitation)
            .ToDictionaryAsync(m => m.ToAddress, m => m.TextBody, TestContext.Current.CancellationToken);
        Assert.Contains("+12125550003", bodies["with@acme.example"]);
        Assert.Contains(Core.Invitations.InvitationTemplateDefaults.NumberChosenAtActivation(Language.English), bodies["without@acme.example"]);
    }

    [Fact]
    public async Task ARestartHalfwayNeitherLosesNorDuplicatesARow()
    {
        const int total = 3000;
        AddNumbers(total / 2);
        var rows = Enumerable.Range(0, total).Select(i => CsvFiles.Row($"restart{i}@acme.example", number: i % 2 == 0 ? $"+1212555{i / 2:D4}" : ""));
        int batchId;
        await using (var first = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 10, maxRows: total))
        {
            // The stop starts on the worker's own thread, right after the group that crossed 100 rows was committed.
            var stopping = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
            var gate = new object();
            using var watch = first.Notifier.Subscribe(null, e =>
            {
                if (e is RowProcessed { Counts.Processed: >= 100 })
                    lock (gate)
                        if (!stopping.Task.IsCompleted)
                            stopping.SetResult(first.StopAsync());
            });
            batchId = await first.ImportAsync(Csv(rows), _world.Target());
            await await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        }

        var stopped = await LoadAsync(batchId);
        Assert.Equal(BatchState.Running, stopped.State);
        Assert.InRange(stopped.Succeeded, 100, total - 1);

        await using var second = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 10, maxRows: total);
        var batch = await second.WaitUntilFinishedAsync(batchId);

        Assert.Equal((BatchState.Completed, total, 0), (batch.State, batch.Succeeded, batch.Failed));
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal(total, await db.Accounts.CountAsync(a => a.Username.StartsWith("restart"), TestContext.Current.CancellationToken));
        Assert.Equal(total, await db.BatchRows.CountAsync(r => r.BatchOperationId == batchId && r.Outcome == RowOutcome.Succeeded && r.AccountId != null, TestContext.Current.CancellationToken));
        Assert.Equal(total / 2, await db.Numbers.CountAsync(n => n.AccountId != null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TwoBatchesCompetingForTheSameNumbersNeverGiveOneNumberTwice()
    {
        AddNumbers(200);
        await using var host = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 5, maxConcurrentBatches: 2);
        // Both checked while every number is Available (two admins' previews), then both committed: checked after the
        // first commit, the second file could already find numbers taken and refuse those rows itself.
        var firstCheck = await host.CheckAsync(Csv(Enumerable.Range(0, 200).Select(i => CsvFiles.Row($"first{i}@acme.example", number: $"+1212555{i:D4}"))), _world.Target());
        var secondCheck = await host.CheckAsync(Csv(Enumerable.Range(0, 200).Select(i => CsvFiles.Row($"second{i}@acme.example", number: $"+1212555{199 - i:D4}"))), _world.Target());
        var first = await host.SubmitAsync(firstCheck, _world.Target());
        var second = await host.SubmitAsync(secondCheck, _world.Target());

        var a = await host.WaitUntilFinishedAsync(first);
        var b = await host.WaitUntilFinishedAsync(second);

        Assert.Equal(200, a.Succeeded + b.Succeeded);
        Assert.Equal(200, a.Failed + b.Failed);
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal(200, await db.Accounts.CountAsync(TestContext.Current.CancellationToken));
        Assert.Equal(200, await db.Numbers.CountAsync(n => n.AccountId != null && n.State == NumberState.Assigned, TestContext.Current.CancellationToken));
        var failure = await db.BatchRows.FirstAsync(r => r.Outcome == RowOutcome.Failed, TestContext.Current.CancellationToken);
        Assert.EndsWith("is no longer available; it was taken after the file was checked.", failure.Reason);
    }

    [Fact]
    public async Task CancellingKeepsDoneRowsAndSkipsTheRest()
    {
        const int total = 5000;
        await using var host = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 5, maxRows: total);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = false;
        using var watch = host.Notifier.Subscribe(null, e =>
        {
            if (e is RowProcessed { Counts.Processed: >= 20 } && !cancelled)
            {
                cancelled = true;
                started.TrySetResult();
            }
        });
        var batchId = await host.ImportAsync(Csv(Enumerable.Range(0, total).Select(i => CsvFiles.Row($"cancel{i}@acme.example"))), _world.Target());
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        await using (var db = _world.Database.CreateDbContext())
            Assert.True((await BatchCommands.RequestCancelAsync(db, batchId, TestActors.Admin, host.Services.GetService(typeof(BatchQueue)) as BatchQueue ?? throw new InvalidOperationException(), TimeProvider.System, TestContext.Current.CancellationToken)).Succeeded);
        var batch = await host.WaitUntilFinishedAsync(batchId);

        Assert.Equal(BatchState.Cancelled, batch.State);
        Assert.Equal(total, batch.Succeeded + batch.Skipped);
        Assert.InRange(batch.Skipped, 1, total - 20);
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(batch.Succeeded, await check.Accounts.CountAsync(a => a.Username.StartsWith("cancel"), TestContext.Current.CancellationToken));
        var skipped = await check.BatchRows.Where(r => r.BatchOperationId == batchId && r.Outcome == RowOutcome.Skipped).ToListAsync(TestContext.Current.CancellationToken);
        Assert.All(skipped, r => Assert.Equal(BatchProcessor.CancelledReason, r.Reason));
        Assert.True(skipped.Min(r => r.RowNumber) > (await check.BatchRows.Where(r => r.BatchOperationId == batchId && r.Outcome == RowOutcome.Succeeded).MaxAsync(r => r.RowNumber, TestContext.Current.CancellationToken)));
    }

    [Fact]
    public async Task ABrokenBatchFailsAloneAndTheNextOneStillRuns()
    {
        await using var host = await BatchHost.StartAsync(_world.Database, maxConcurrentBatches: 1);
        int broken;
        await using (var db = _world.Database.CreateDbContext())
        {
            // An import without a permission group cannot create accounts: the handler throws.
            var batch = new BatchOperation { Kind = BatchKind.Import, AdminName = "Test", OrganizationId = _world.Acme.Id, TotalRows = 1, CreatedAtUtc = DateTime.UtcNow };
            batch.Rows.Add(new BatchRow { RowNumber = 2, Username = "x@acme.example", NormalizedUsername = "x@acme.example" });
            db.Batches.Add(batch);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            broken = batch.Id;
        }
        ((BatchQueue)host.Services.GetService(typeof(BatchQueue))!).Enqueue(broken);
        var next = await host.ImportAsync(Csv([CsvFiles.Row("after@acme.example")]), _world.Target());

        var failed = await host.WaitUntilFinishedAsync(broken);
        var completed = await host.WaitUntilFinishedAsync(next);

        Assert.Equal(BatchState.Failed, failed.State);
        Assert.StartsWith("The batch stopped because of an unexpected error:", failed.FailureReason);
        Assert.Equal(1, failed.Skipped);
        Assert.Equal(BatchState.Completed, completed.State);
    }

    [Fact]
    public async Task AFinishedBatchEmailsTheDesignatedAdminsASummaryWithTheReportAttached()
    {
        await using (var db = _world.Database.CreateDbContext())
        {
            var role = new MultiLine.Core.Admins.Role { Name = "Org admin", Privileges = MultiLine.Core.Admins.Privileges.All };
            var admin = new MultiLine.Core.Admins.Admin { Email = "lead@acme.example", NormalizedEmail = "LEAD@ACME.EXAMPLE", DisplayName = "Team Lead", Role = role };
            db.Admins.Add(admin);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            db.DesignatedAdmins.Add(new MultiLine.Core.Organizations.DesignatedAdmin { OrganizationId = _world.Acme.Id, AdminId = admin.Id });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        await using var host = await BatchHost.StartAsync(_world.Database);

        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(Csv([CsvFiles.Row("one@acme.example"), CsvFiles.Row("two@acme.example", sms: "yes")]), _world.Target()));

        await using var check = _world.Database.CreateDbContext();
        var email = await check.EmailMessages.Include(m => m.Attachments).SingleAsync(m => m.Kind == MultiLine.Core.Invitations.Outbox.EmailKind.Notification, TestContext.Current.CancellationToken);
        Assert.Equal("lead@acme.example", email.ToAddress);
        Assert.Equal("CSV import for Acme: Completed with errors", email.Subject);
        Assert.Contains("Succeeded: 1", email.TextBody);
        Assert.Contains("Failed: 1", email.TextBody);
        Assert.Contains("Started by: Test Admin", email.TextBody);
        Assert.Contains($"/reports/{batch.Id}", email.TextBody);
        var attachment = Assert.Single(email.Attachments);
        Assert.Equal($"batch-{batch.CreatedAtUtc:yyyy-MM-dd}-acme-{batch.Id}.csv", attachment.FileName);
        var report = System.Text.Encoding.UTF8.GetString(attachment.Content);
        Assert.Contains("3,Jane,Doe,two@acme.example,,Failed,\"monitor_sms: \"\"yes\"\" is not one of on, off.\",", report);
    }

    [Fact]
    public async Task AReportLargerThanTheAttachmentLimitIsLinkedInTheSummaryNotAttached()
    {
        await using (var db = _world.Database.CreateDbContext())
        {
            var role = new MultiLine.Core.Admins.Role { Name = "Org admin", Privileges = MultiLine.Core.Admins.Privileges.All };
            var admin = new MultiLine.Core.Admins.Admin { Email = "lead@acme.example", NormalizedEmail = "LEAD@ACME.EXAMPLE", DisplayName = "Team Lead", Role = role };
            db.Admins.Add(admin);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            db.DesignatedAdmins.Add(new MultiLine.Core.Organizations.DesignatedAdmin { OrganizationId = _world.Acme.Id, AdminId = admin.Id });
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        await using var host = await BatchHost.StartAsync(_world.Database, settings: new Dictionary<string, string?> { ["Batches:AttachReportUpToRows"] = "2" });

        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(
            Csv([CsvFiles.Row("one@acme.example"), CsvFiles.Row("two@acme.example"), CsvFiles.Row("three@acme.example")]), _world.Target()));

        await using var check = _world.Database.CreateDbContext();
        var email = await check.EmailMessages.Include(m => m.Attachments).SingleAsync(m => m.Kind == MultiLine.Core.Invitations.Outbox.EmailKind.Notification, TestContext.Current.CancellationToken);
        Assert.Empty(email.Attachments);
        Assert.Contains(BatchProcessor.ReportTooLargeToAttach(3), email.TextBody);
        Assert.Contains($"/reports/{batch.Id}", email.TextBody);
    }

    private async Task<BatchOperation> LoadAsync(int batchId)
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.Batches.SingleAsync(b => b.Id == batchId, TestContext.Current.CancellationToken);
    }

    public void Dispose() => _world.Dispose();
}
