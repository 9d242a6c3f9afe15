using System.Text.RegularExpressions;
using MultiLine.Tests;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;
using MultiLine.Core.Tests.Imports;

namespace MultiLine.Core.Tests.Batches;

/// <summary>Undoing an import: a batch of its own that deletes the accounts the import created, once, while none has activated.</summary>
public sealed partial class ImportUndoTests : IDisposable
{
    private readonly ImportWorld _world = new();
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Csv(params string[] rows) => CsvFiles.Lines([CsvFiles.Header, .. rows]);

    /// <summary>An import &amp; invite of <paramref name="count"/> accounts, each with its own number of Acme.</summary>
    private async Task<int> ImportAndInviteAsync(BatchHost host, int count)
    {
        for (var i = 0; i < count; i++)
            _world.AddNumber(_world.Acme, $"+1303555{i:D4}");
        var csv = Csv([.. Enumerable.Range(0, count).Select(i => CsvFiles.Row($"user{i}@acme.example", number: $"+1303555{i:D4}"))]);
        var batch = await host.WaitUntilFinishedAsync(await host.ImportAsync(csv, _world.Target(), invite: true));
        Assert.Equal((BatchState.Completed, count), (batch.State, batch.Succeeded));
        return batch.Id;
    }

    private async Task<Dictionary<string, string>> TokensAsync()
    {
        await using var db = _world.Database.CreateDbContext();
        var emails = await db.EmailMessages.Where(m => m.Kind == EmailKind.Invitation).Select(m => new { m.ToAddress, m.TextBody }).ToListAsync(Ct);
        return emails.ToDictionary(m => m.ToAddress, m => ActivationLink().Match(m.TextBody).Groups[1].Value);
    }

    private static ImportUndo Undo(BatchHost host) => host.Services.GetRequiredService<ImportUndo>();
    private static AccountActivation Activation(BatchHost host) => host.Services.GetRequiredService<AccountActivation>();

    private async Task<UndoPlan> PlanAsync(BatchHost host, int batchId, AdminScope? scope = null)
    {
        await using var db = _world.Database.CreateDbContext();
        return await Undo(host).PlanAsync(db.WithScope(scope ?? _world.AcmeAdmin), batchId, Ct);
    }

    private async Task<SubmitResult> SubmitAsync(BatchHost host, int batchId, AdminScope? scope = null)
    {
        await using var db = _world.Database.CreateDbContext();
        return await Undo(host).SubmitAsync(db.WithScope(scope ?? _world.AcmeAdmin), batchId, TestActors.Admin with { AdminName = "Undo Admin" }, Ct);
    }

    private async Task<(BatchOperation Batch, List<BatchRow> Rows)> RunAsync(BatchHost host, int batchId)
    {
        var submitted = await SubmitAsync(host, batchId);
        Assert.True(submitted.Succeeded, submitted.Error);
        return await FinishedAsync(host, submitted.BatchId!.Value);
    }

    private async Task<(BatchOperation Batch, List<BatchRow> Rows)> FinishedAsync(BatchHost host, int undoId)
    {
        var batch = await host.WaitUntilFinishedAsync(undoId);
        await using var db = _world.Database.CreateDbContext();
        return (batch, await db.BatchRows.Where(r => r.BatchOperationId == undoId).OrderBy(r => r.RowNumber).ToListAsync(Ct));
    }

    private async Task<List<MultiLineNumber>> NumbersAsync()
    {
        await using var db = _world.Database.CreateDbContext();
        return await db.Numbers.OrderBy(n => n.E164).ToListAsync(Ct);
    }

    [Fact]
    public async Task UndoDeletesTheImportedAccountsReleasesTheirNumbersAndRevokesTheirInvitations()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var importId = await ImportAndInviteAsync(host, 3);
        var tokens = await TokensAsync();

        var plan = await PlanAsync(host, importId);
        Assert.True(plan.CanUndo, plan.Refusal);
        Assert.Equal((3, 3, 3, 0), (plan.AccountsToDelete, plan.NumbersToRelease, plan.InvitationsToRevoke, plan.AccountsToSkip));
        Assert.Equal("3 accounts will be deleted, 3 numbers will be back to Available and 3 invitations will be revoked (the activation links stop working).", plan.Describe());

        var (undo, rows) = await RunAsync(host, importId);

        Assert.Equal((BatchKind.UndoImport, BatchState.Completed, 3, importId, _world.Acme.Id), (undo.Kind, undo.State, undo.Succeeded, undo.UndoOfBatchId, undo.OrganizationId));
        Assert.Equal([2, 3, 4], rows.Select(r => r.RowNumber));
        Assert.Equal("user0@acme.example is deleted; number +13035550000 released to Available. Its invitation is revoked: the activation link no longer works.", rows[0].Reason);
        await using (var db = _world.Database.CreateDbContext())
        {
            Assert.Equal(0, await db.Accounts.CountAsync(Ct));
            Assert.Equal(0, await db.Invitations.CountAsync(Ct));
            var original = await BatchQueries.FindAsync(db, importId, Ct);
            var undone = await BatchQueries.FindAsync(db, undo.Id, Ct);
            Assert.Equal((undo.Id, (int?)null), (original!.UndoneByBatchId, original.UndoOfBatchId));
            Assert.Equal($"Undo of batch {importId}", undone!.KindLabel);
            var entry = await db.ActivityEntries.SingleAsync(e => e.Action == ActivityActions.BatchUndo, Ct);
            Assert.Equal($"Undo of batch #{importId} in Acme: {plan.Describe()}", entry.Details);
            Assert.Equal(3, await db.ActivityEntries.CountAsync(e => e.Action == ActivityActions.AccountDelete && e.Source == ActivitySource.Batch, Ct));
        }
        Assert.All(await NumbersAsync(), n => Assert.Equal((NumberState.Available, (int?)null), (n.State, n.AccountId)));
        var link = await Activation(host).ActivateAsync(tokens["user1@acme.example"], null, Ct);
        Assert.False(link.Succeeded);
        Assert.Equal(AccountActivation.NotFoundMessage, link.Message);
        Assert.Equal(ActivationState.NotFound, (await Activation(host).OpenAsync(tokens["user2@acme.example"], Ct)).State);
    }

    [Fact]
    public async Task UndoIsRefusedWhileAnyAccountHasActivatedAndStoresNothing()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var importId = await ImportAndInviteAsync(host, 3);
        var tokens = await TokensAsync();
        Assert.True((await Activation(host).ActivateAsync(tokens["user1@acme.example"], null, Ct)).Succeeded);

        var plan = await PlanAsync(host, importId);
        var refused = await SubmitAsync(host, importId);

        Assert.False(plan.CanUndo);
        Assert.Equal(1, plan.ActivatedAccounts);
        Assert.Equal("This import cannot be undone: 1 account has activated since. Delete the other accounts from the Accounts page instead.", plan.Refusal);
        Assert.Equal((SubmitRefusal.Conflict, plan.Refusal), (refused.Refusal!.Value, refused.Error));
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal(0, await db.Batches.CountAsync(b => b.Kind == BatchKind.UndoImport, Ct));
        Assert.Equal(3, await db.Accounts.CountAsync(Ct));
    }

    [Fact]
    public async Task AnImportCanBeUndoneOnceOnly()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var importId = await ImportAndInviteAsync(host, 2);
        var (undo, _) = await RunAsync(host, importId);

        var again = await SubmitAsync(host, importId);
        var plan = await PlanAsync(host, importId);

        Assert.Equal((SubmitRefusal.Conflict, $"This import was already undone by batch {undo.Id}; an import can be undone once."), (again.Refusal!.Value, again.Error));
        Assert.Equal(undo.Id, plan.UndoneByBatchId);
        Assert.Equal(ImportUndo.NotAnImport, (await PlanAsync(host, undo.Id)).Refusal);
    }

    [Fact]
    public async Task TwoUndosAtTheSameMomentStoreOneBatch()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var importId = await ImportAndInviteAsync(host, 2);

        var results = await Task.WhenAll(SubmitAsync(host, importId), SubmitAsync(host, importId));

        Assert.Single(results, r => r.Succeeded);
        Assert.Single(results, r => r.Refusal == SubmitRefusal.Conflict);
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal(1, await db.Batches.CountAsync(b => b.UndoOfBatchId == importId, Ct));
    }

    [Fact]
    public async Task EachUndoRowShowsTheNumberItsDeleteReleasedNotTheOneTheImportGave()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var importId = await ImportAndInviteAsync(host, 3);
        await using (var db = _world.Database.CreateDbContext())
        {
            // Since the import, user0 changed number and user1 gave its number back.
            var accounts = await db.Accounts.OrderBy(a => a.Username).ToListAsync(Ct);
            var numbers = await db.Numbers.Where(n => n.AccountId == accounts[0].Id || n.AccountId == accounts[1].Id).ToListAsync(Ct);
            foreach (var number in numbers)
                (number.AccountId, number.State) = (null, NumberState.Available);
            await db.SaveChangesAsync(Ct);
            _world.AddNumber(_world.Acme, "+13035550099", NumberState.Assigned, accountId: accounts[0].Id);
        }

        var (undo, rows) = await RunAsync(host, importId);

        Assert.Equal((BatchState.Completed, 3), (undo.State, undo.Succeeded));
        Assert.Equal(["+13035550099", null, "+13035550002"], rows.Select(r => r.Number));
        Assert.Equal("user0@acme.example is deleted; number +13035550099 released to Available. Its invitation is revoked: the activation link no longer works.", rows[0].Reason);
        await using var check = _world.Database.CreateDbContext();
        var report = await BatchQueries.WithDelivery(check, check.BatchRows.Where(r => r.BatchOperationId == undo.Id)).ToListAsync(Ct);
        Assert.Equal(["+13035550099", null, "+13035550002"], report.OrderBy(r => r.RowNumber).Select(r => r.Number));
        Assert.Equal(NumberState.Available, (await check.Numbers.SingleAsync(n => n.E164 == "+13035550099", Ct)).State);
    }

    [Fact]
    public async Task AFailedSaveThatIsNotASecondUndoIsNotReportedAsAlreadyUndone()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var importId = await ImportAndInviteAsync(host, 2);
        // The database refuses every undo batch, as a full disk or a broken constraint would: not the unique index.
        await using (var db = _world.Database.CreateDbContext())
            foreach (var statement in _world.Database.Engine.IsSqlite
                ? new[] { $"""CREATE TRIGGER "RefuseUndo" BEFORE INSERT ON "Batches" WHEN NEW."Kind" = {(int)BatchKind.UndoImport} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END""" }
                : new[]
                {
                    """CREATE FUNCTION "RefuseUndo"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$""",
                    $"""CREATE TRIGGER "RefuseUndo" BEFORE INSERT ON "Batches" FOR EACH ROW WHEN (NEW."Kind" = {(int)BatchKind.UndoImport}) EXECUTE FUNCTION "RefuseUndo"()""",
                })
                await db.Database.ExecuteSqlRawAsync(statement, Ct);

        try
        {
            await Assert.ThrowsAsync<DbUpdateException>(() => SubmitAsync(host, importId));

            await using var check = _world.Database.CreateDbContext();
            Assert.Equal(0, await check.Batches.CountAsync(b => b.UndoOfBatchId == importId, Ct));
            Assert.True((await PlanAsync(host, importId)).CanUndo);
        }
        finally
        {
            // A PostgreSQL test database is emptied and handed to the next test: it must not keep the trigger.
            await using var db = _world.Database.CreateDbContext();
            foreach (var statement in _world.Database.Engine.IsSqlite
                ? new[] { """DROP TRIGGER "RefuseUndo" """ }
                : new[] { """DROP TRIGGER "RefuseUndo" ON "Batches" """, """DROP FUNCTION "RefuseUndo"() """ })
                await db.Database.ExecuteSqlRawAsync(statement, CancellationToken.None);
        }
    }

    [Fact]
    public async Task AnImportStillRunningCannotBeUndone()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        int running;
        await using (var db = _world.Database.CreateDbContext())
        {
            var batch = new BatchOperation { Kind = BatchKind.Import, State = BatchState.Running, AdminName = "Someone", OrganizationId = _world.Acme.Id, CreatedAtUtc = DateTime.UtcNow, ClaimedBy = "elsewhere", ClaimExpiresAtUtc = DateTime.UtcNow.AddHours(1) };
            db.Batches.Add(batch);
            await db.SaveChangesAsync(Ct);
            running = batch.Id;
        }

        var refused = await SubmitAsync(host, running);

        Assert.Equal((SubmitRefusal.Conflict, "The import is still running: wait until it finishes or cancel it, then undo it."), (refused.Refusal!.Value, refused.Error));
    }

    [Fact]
    public async Task AnImportOutsideTheScopeIsNotFoundAndWithoutThePrivilegeIsNotAllowed()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var importId = await ImportAndInviteAsync(host, 1);

        var outside = await SubmitAsync(host, importId, new AdminScope(2, _world.Other.Path, Privileges.All));
        var withoutPrivilege = await SubmitAsync(host, importId, _world.AcmeAdmin with { Privileges = Privileges.All & ~Privileges.AccountsBulkOperations });

        Assert.Equal((SubmitRefusal.NotFound, ImportUndo.NotFound), (outside.Refusal!.Value, outside.Error));
        Assert.Equal((SubmitRefusal.NotAllowed, ImportUndo.NotAllowed), (withoutPrivilege.Refusal!.Value, withoutPrivilege.Error));
        await using var db = _world.Database.CreateDbContext();
        Assert.Equal(1, await db.Accounts.CountAsync(Ct));
    }

    [Fact]
    public async Task AccountsDeletedMovedOrSuspendedSinceAreSkippedWithTheReason()
    {
        await using var host = await BatchHost.StartAsync(_world.Database);
        var importId = await ImportAndInviteAsync(host, 4);
        await using (var db = _world.Database.CreateDbContext())
        {
            var accounts = await db.Accounts.OrderBy(a => a.Username).ToListAsync(Ct);
            await AccountLifecycle.ApplyDeleteAsync(db, accounts[0].Id, new AccountDeletion(NumberDisposition.Release), TestActors.Admin, DateTime.UtcNow, Ct);
            accounts[1].OrganizationId = _world.Other.Id;
            await db.SaveChangesAsync(Ct);
            await AccountLifecycle.ApplySuspendAsync(db, accounts[2].Id, TestActors.Admin, DateTime.UtcNow, Ct);
        }

        var plan = await PlanAsync(host, importId, new AdminScope(7, _world.Root.Path, Privileges.All));
        Assert.Equal((1, 3), (plan.AccountsToDelete, plan.AccountsToSkip));
        var (undo, rows) = await RunAsync(host, importId);

        Assert.Equal((BatchState.Completed, 1, 3), (undo.State, undo.Succeeded, undo.Skipped));
        Assert.Equal([RowOutcome.Skipped, RowOutcome.Skipped, RowOutcome.Skipped, RowOutcome.Succeeded], rows.Select(r => r.Outcome));
        Assert.Equal("The account no longer exists: it was deleted after the import.", rows[0].Reason);
        Assert.Equal("user1@acme.example has moved to another organization since the import; it is left as it is.", rows[1].Reason);
        Assert.Equal("user2@acme.example is suspended; unsuspend or delete it on its own.", rows[2].Reason);
        await using var check = _world.Database.CreateDbContext();
        Assert.Equal(["user1@acme.example", "user2@acme.example"], await check.Accounts.OrderBy(a => a.Username).Select(a => a.Username).ToListAsync(Ct));
    }

    [Fact]
    public async Task AnActivationAfterTheUndoWasStoredSkipsItsRowAndKeepsTheAccountWhole()
    {
        int importId, undoId;
        Dictionary<string, string> tokens;
        await using (var first = await BatchHost.StartAsync(_world.Database))
        {
            importId = await ImportAndInviteAsync(first, 2);
            tokens = await TokensAsync();
            await first.StopAsync();
            var stored = await SubmitAsync(first, importId);
            Assert.True(stored.Succeeded, stored.Error);
            undoId = stored.BatchId!.Value;
            // The user opens the link after the admin confirmed the undo and before the worker reaches the row.
            Assert.True((await Activation(first).ActivateAsync(tokens["user0@acme.example"], null, Ct)).Succeeded);
        }

        await using var host = await BatchHost.StartAsync(_world.Database);
        var (undo, rows) = await FinishedAsync(host, undoId);

        Assert.Equal((BatchState.Completed, 1, 1), (undo.State, undo.Succeeded, undo.Skipped));
        Assert.Equal("user0@acme.example has activated since the import; an active account is never deleted by an undo.", rows[0].Reason);
        await using var db = _world.Database.CreateDbContext();
        var kept = await db.Accounts.Include(a => a.Number).SingleAsync(Ct);
        Assert.Equal((AccountStatus.Active, "+13035550000", NumberState.Registered), (kept.Status, kept.Number!.E164, kept.Number.State));
        Assert.Equal(1, await db.Invitations.CountAsync(i => i.AccountId == kept.Id, Ct));
    }

    [Fact]
    public async Task AnUndoRacingActivationsLeavesEachAccountEitherDeletedOrActiveNeverHalf()
    {
        const int count = 12;
        int importId, undoId;
        Dictionary<string, string> tokens;
        await using (var first = await BatchHost.StartAsync(_world.Database))
        {
            importId = await ImportAndInviteAsync(first, count);
            tokens = await TokensAsync();
            await first.StopAsync();
            var stored = await SubmitAsync(first, importId);
            Assert.True(stored.Succeeded, stored.Error);
            undoId = stored.BatchId!.Value;
        }

        // Rows go one at a time (the first group is small), so the activations land between and inside the undo's groups.
        await using var host = await BatchHost.StartAsync(_world.Database, rowsPerTransaction: 2);
        var activations = tokens.OrderByDescending(t => t.Key).Select(t => Task.Run(() => Activation(host).ActivateAsync(t.Value, null, Ct), Ct)).ToList();
        var (undo, rows) = await FinishedAsync(host, undoId);
        var results = await Task.WhenAll(activations);

        await using var db = _world.Database.CreateDbContext();
        var accounts = await db.Accounts.Include(a => a.Number).ToDictionaryAsync(a => a.Username, Ct);
        var numbers = await db.Numbers.ToDictionaryAsync(n => n.E164, Ct);
        Assert.Equal(count, undo.Succeeded + undo.Skipped);
        Assert.Equal(undo.Skipped, results.Count(r => r.Succeeded));
        foreach (var row in rows)
        {
            var number = numbers[row.Number!];
            if (row.Outcome == RowOutcome.Succeeded)
            {
                Assert.False(accounts.ContainsKey(row.Username!));
                Assert.Equal((NumberState.Available, (int?)null), (number.State, number.AccountId));
            }
            else
            {
                Assert.Equal($"{row.Username} has activated since the import; an active account is never deleted by an undo.", row.Reason);
                var account = accounts[row.Username!];
                Assert.Equal((AccountStatus.Active, NumberState.Registered, (int?)account.Id), (account.Status, number.State, number.AccountId));
            }
        }
    }

    public void Dispose() => _world.Dispose();

    [GeneratedRegex(@"/activate/([A-Za-z0-9_-]+)")]
    private static partial Regex ActivationLink();
}
