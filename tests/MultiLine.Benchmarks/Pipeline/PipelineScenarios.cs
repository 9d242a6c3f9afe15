using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MimeKit;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Demo;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.PostgreSQL;
using MultiLine.Persistence.Sqlite;
using MultiLine.Tests;

namespace MultiLine.Benchmarks.Pipeline;

/// <summary>
/// One line of the table as a child process reports it to the parent: every measured run, every raw floor run (for
/// Import &amp; Invite the inserts plus the sends), the peak working set over the runs and per-run figures of where the
/// time went. Times in seconds.
/// </summary>
public sealed record ScenarioResult(
    string Id, string Name, int Rows, double[] Times, double[] Floors, string? FloorKind, double PeakMb, Dictionary<string, double[]> Details)
{
    /// <summary>Two reports of the same scenario from different processes, as one.</summary>
    public ScenarioResult Merge(ScenarioResult other) => this with
    {
        Times = [.. Times, .. other.Times],
        Floors = [.. Floors, .. other.Floors],
        PeakMb = Math.Max(PeakMb, other.PeakMb),
        Details = Details.Keys.Union(other.Details.Keys).ToDictionary(
            k => k, k => (double[])[.. Details.GetValueOrDefault(k, []), .. other.Details.GetValueOrDefault(k, [])]),
    };
}

/// <summary>
/// The measured part of each pipeline scenario, run in a child process of its own: a warm-up of the same kind (JIT,
/// EF Core's query cache, pooled connections, as in a running service), then the measured runs, each on a fresh copy
/// of the seeded database and each followed by its raw floor, so a drift in the machine's load moves both alike.
/// </summary>
public sealed class PipelineScenarios(BenchEngine engine, string template, string folder)
{
    /// <summary>Rows of the end-to-end files.</summary>
    public const int Rows = 1_000;

    public const int LargeRows = 100_000;

    /// <summary>Free capacity of Acme Sales in the seeded template: enough for a 1,000-row Import &amp; Invite.</summary>
    public const int TemplateCapacity = Rows + 100;

    /// <summary>Free capacity left once the capacity-short scenario has committed: half its rows.</summary>
    public const int ShortCapacity = Rows / 2;

    /// <summary>The warm-up: a whole unmeasured 1,000-row run of the same kind (JIT, EF Core's query cache, connection pools).</summary>
    private const int WarmUpRows = Rows;

    /// <summary>Unmeasured checks before scenario 1's measured ones (about half a second).</summary>
    private const int ValidationWarmUpCalls = 100;

    /// <summary>Names of the details that count EF Core's SQL commands and add up their time.</summary>
    public const string SqlCount = "SQL commands", SqlTime = "their time", Allocated = "allocated MB", Collections = "gen0 collections", Paused = "paused for GC";
    private const string Organization = "Acme Sales";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);

    private int _copies;

    /// <summary>Seeds the template once: the demo tenant with 200,000 accounts, and numbers so Acme Sales can Import &amp; Invite 1,000 rows.</summary>
    public static async Task<string> PrepareAsync(BenchEngine engine, string folder)
    {
        var watch = Stopwatch.StartNew();
        var database = await engine.CreateTemplateAsync();
        using (var host = BuildHost(database, folder, smtpPort: null, maxRows: Rows))
        {
            await host.Services.MigrateDatabaseAsync();
            await host.Services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync(new DemoOptions { Accounts = 200_000 });
            await using var db = await host.Services.GetRequiredService<SystemDbContextFactory>().CreateAsync();
            var sales = await db.Organizations.SingleAsync(o => o.Name == Organization);
            var missing = TemplateCapacity - (await db.FreeCapacityAsync(sales.Id)).Value;
            for (var first = 14159000000L; missing > 0; first += NumberInventory.MaxRangeSize)
            {
                var count = Math.Min(missing, NumberInventory.MaxRangeSize);
                var added = await NumberInventory.AddRangeAsync(db, sales.Id, "+" + first, count, TestActors.Admin, DateTime.UtcNow);
                if (!added.Succeeded)
                    throw new InvalidOperationException(added.Error);
                missing -= count;
            }
            // A deployment's search index is caught up between imports; so is the template's (SQLite indexes in bulk).
            while (await engine.Engine.IndexNewAccountsAsync(db, 50_000) > 0)
            {
            }
        }
        await engine.SealTemplateAsync(database);
        Console.Error.WriteLine($"  seeded the demo tenant with 200,000 accounts in {watch.Elapsed.TotalSeconds:N1} s");
        return database.Id;
    }

    public async Task<IReadOnlyList<ScenarioResult>> RunAsync(string scenario, int? runs) => scenario switch
    {
        "1" => [await ValidateAsync(runs ?? 21)],
        "2" => [await EndToEndAsync(new("2", "Import 1,000 rows: commit → batch finished", Rows, Invite: false), runs ?? 5)],
        "3" => [await EndToEndAsync(new("3", "Import & Invite 1,000 rows: commit → every invitation accepted by SMTP", Rows, Invite: true), runs ?? 5)],
        "4" => [await EndToEndAsync(new("4", "Import 100,000 rows (Import:MaxRows raised), no invites: commit + worker", LargeRows, Invite: false), runs ?? 1)],
        "5" => [await EndToEndAsync(new("5", $"Import & Invite 1,000 rows, capacity short ({ShortCapacity:N0} free after commit)", Rows, Invite: true, ShortOfCapacity: true), runs ?? 5)],
        "6" => [await EndToEndAsync(new("6", "First progress event after commit (Import 1,000 rows, in process)", Rows, Invite: false, FirstProgress: true), runs ?? 5)],
        "7" => await AccountsPageAsync(runs ?? 21),
        _ => throw new ArgumentException($"There is no scenario {scenario}; they are 1 to 7."),
    };

    // ---- 1. Parse + validate ----

    private async Task<ScenarioResult> ValidateAsync(int runs)
    {
        await using var database = await CopyAsync();
        using var host = BuildHost(database, folder, smtpPort: null, maxRows: Rows);
        var tenant = await Tenant.ReadAsync(host.Services);
        byte[] csv;
        await using (var db = await host.Services.GetRequiredService<SystemDbContextFactory>().CreateAsync())
        {
            var numbers = await db.Numbers.Where(n => n.OrganizationId == tenant.OrganizationId && n.State == NumberState.Available && n.AccountId == null)
                .OrderBy(n => n.Id).Select(n => n.E164).Take(Rows / 10).ToListAsync();
            var usernames = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Username).Take(Rows / 50).ToListAsync();
            csv = BenchCsv.Mixed(Rows, numbers, usernames);
        }
        var validator = host.Services.GetRequiredService<ImportValidator>();
        var target = tenant.Target;
        var upload = new ImportUpload("accounts.csv", csv);

        var allocated = new List<double>();
        var collections = new List<double>();
        var paused = new List<double>();

        async Task<TimeSpan> Validate()
        {
            SqlCommands.Reset();
            var (bytesBefore, gcBefore, pausedBefore) = (GC.GetTotalAllocatedBytes(precise: false), GC.CollectionCount(0), GC.GetTotalPauseDuration());
            var watch = Stopwatch.StartNew();
            var result = await validator.ValidateAsync(upload, target);
            watch.Stop();
            allocated.Add((GC.GetTotalAllocatedBytes(precise: false) - bytesBefore) / 1024.0 / 1024);
            collections.Add(GC.CollectionCount(0) - gcBefore);
            paused.Add((GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds);
            if (result.HasFileErrors || result.Counts.Total != Rows)
                throw new InvalidOperationException($"The file did not validate as expected: {string.Join(" ", result.FileErrors.Select(p => p.Text))}");
            return watch.Elapsed;
        }

        // A running server has checked many files: its pooled connections hold the pages the lookups read and the
        // collector has sized its budgets. After five calls, the first measured ones were 30-50 % slower than the rest
        // (one run of 300: median of the first 21, 7.9 ms; of the others, 5.5 ms).
        for (var i = 0; i < ValidationWarmUpCalls; i++)
        {
            RawFloors.Parse(csv);
            await Validate();
        }
        var times = new List<double>();
        var floors = new List<double>();
        var commands = new List<(long Count, double Seconds)>();
        allocated.Clear();
        collections.Clear();
        paused.Clear();
        await using var peak = PeakMemory.Start();
        for (var i = 0; i < runs; i++)
        {
            floors.Add(RawFloors.Parse(csv).TotalSeconds);
            times.Add((await Validate()).TotalSeconds);
            commands.Add(SqlCommands.Read());
        }
        Console.Error.WriteLine($"  validate: median {Median(times) * 1000:N1} ms, raw parse {Median(floors) * 1000:N2} ms");
        return new ScenarioResult("1", "Parse + validate 1,000 rows with the database checks", Rows, [.. times], [.. floors], "CsvHelper parse",
            peak.Bytes / 1024.0 / 1024, new Dictionary<string, double[]>
            {
                [SqlCount] = [.. commands.Select(c => (double)c.Count)],
                [SqlTime] = [.. commands.Select(c => c.Seconds)],
                [Allocated] = [.. allocated],
                [Collections] = [.. collections],
                [Paused] = [.. paused],
            });
    }

    // ---- 2–6. Commit through the worker (and the outbox) ----

    private sealed record EndToEnd(string Id, string Name, int Rows, bool Invite, bool ShortOfCapacity = false, bool FirstProgress = false);

    private sealed record RunTimes(double Total, double Commit, double FirstRow, double Finished, double? LastInvitation, int Invited, long PeakBytes, long PeakAtCommitBytes, long StartBytes, long SqlCommands, double SqlSeconds, double SearchIndexed);

    private async Task<ScenarioResult> EndToEndAsync(EndToEnd scenario, int runs)
    {
        // Only the upload is held while a run is measured, as a server holds the request; the floor's rows are made when needed.
        var csv = BenchCsv.Import(BenchCsv.Accounts(scenario.Rows, "bench"));

        // Warm-up on its own copy: the same kind of batch (1,000 rows), then the floors once.
        Tenant tenant;
        await using (var warmUp = await CopyAsync())
        {
            var (_, warmTenant) = await RunOnceAsync(scenario, warmUp, BenchCsv.Import(BenchCsv.Accounts(WarmUpRows, "warmup")), WarmUpRows, sendFloor: true);
            tenant = warmTenant;
            await RawFloors.InsertAsync(engine, warmUp, BenchCsv.Accounts(WarmUpRows, "warmfloor").ToList(), tenant.OrganizationId, tenant.GroupId);
        }

        var results = new List<RunTimes>();
        var inserts = new List<double>();
        var sends = new List<double>();
        // Each run is followed by its floor; a scenario that runs fewer than three times still gets three floors.
        for (var run = 0; run < Math.Max(runs, scenario.FirstProgress ? 0 : 3); run++)
        {
            if (run < runs)
            {
                await using var database = await CopyAsync();
                var (times, _) = await RunOnceAsync(scenario, database, csv, scenario.Rows, sendFloor: scenario.Invite, sends);
                results.Add(times);
                Console.Error.WriteLine($"  run {results.Count}: {Show(times.Total)} (commit {Show(times.Commit)}, first row {Show(times.FirstRow)}, batch finished {Show(times.Finished)}" +
                    (times.LastInvitation is { } mailed ? $", last of {times.Invited:N0} invitations accepted {Show(mailed)}" : "") +
                    $"; peak {times.PeakBytes / 1024 / 1024:N0} MB, {times.PeakAtCommitBytes / 1024 / 1024:N0} MB when the commit returned, from {times.StartBytes / 1024 / 1024:N0} MB)" + (sends.Count > 0 ? $"; raw sends {Show(sends[^1])}" : ""));
            }
            if (!scenario.FirstProgress)
            {
                await using var database = await CopyAsync();
                inserts.Add((await RawFloors.InsertAsync(engine, database, BenchCsv.Accounts(scenario.Rows, "bench").ToList(), tenant.OrganizationId, tenant.GroupId)).TotalSeconds);
                Console.Error.WriteLine($"  raw inserts: {Show(inserts[^1])}");
            }
        }

        var details = new Dictionary<string, double[]>
        {
            ["commit"] = [.. results.Select(r => r.Commit)],
            ["first row"] = [.. results.Select(r => r.FirstRow)],
            ["batch finished"] = [.. results.Select(r => r.Finished)],
            [SqlCount] = [.. results.Select(r => (double)r.SqlCommands)],
            [SqlTime] = [.. results.Select(r => r.SqlSeconds)],
        };
        if (results.All(r => !double.IsNaN(r.SearchIndexed)))
            details["search index caught up (after the run)"] = [.. results.Select(r => r.SearchIndexed)];
        var peakMb = results.Max(r => r.PeakBytes) / 1024.0 / 1024;
        if (scenario.FirstProgress)
        {
            details["first row after the commit returned"] = [.. results.Select(r => r.FirstRow - r.Commit)];
            return new ScenarioResult(scenario.Id, scenario.Name, scenario.Rows, [.. results.Select(r => r.FirstRow)], [], null, peakMb, details);
        }
        details["raw inserts"] = [.. inserts];
        if (!scenario.Invite)
            return new ScenarioResult(scenario.Id, scenario.Name, scenario.Rows, [.. results.Select(r => r.Total)], [.. inserts], "prepared inserts", peakMb, details);
        details["last invitation accepted"] = [.. results.Select(r => r.LastInvitation ?? double.NaN)];
        details["invitations"] = [.. results.Select(r => (double)r.Invited)];
        details["raw sends"] = [.. sends];
        // The floor of a run: its inserts plus its sends (runs beyond the scenario's own add inserts only to the inserts' median).
        var floors = sends.Select((send, i) => send + inserts[i]).ToArray();
        return new ScenarioResult(scenario.Id, scenario.Name, scenario.Rows, [.. results.Select(r => r.Total)], floors, "inserts + MailKit sends", peakMb, details);
    }

    /// <summary>
    /// One import as an API client makes it (the commit validates the file again, then stores the batch), in a host
    /// with the hosted batch worker and outbox sender running: from the commit until the batch has finished and, with
    /// invitations, the loopback SMTP server has accepted every one.
    /// </summary>
    private async Task<(RunTimes Times, Tenant Tenant)> RunOnceAsync(EndToEnd scenario, BenchDatabase database, byte[] csv, int rows, bool sendFloor, List<double>? sendFloors = null)
    {
        var arrivals = new ConcurrentQueue<long>();
        await using var smtp = scenario.Invite
            ? await TestSmtpServer.StartAsync(received: (message, _) =>
            {
                if (message.To.Mailboxes.Any(m => m.Address.EndsWith("@" + BenchCsv.Domain, StringComparison.Ordinal)))
                    arrivals.Enqueue(Stopwatch.GetTimestamp());
                return Task.CompletedTask;
            })
            : null;
        using var host = BuildHost(database, folder, smtp?.Port, Math.Max(rows, Rows));
        var tenant = await Tenant.ReadAsync(host.Services);
        if (!scenario.ShortOfCapacity)
        {
            await host.StartAsync();
            // MULTILINE_BENCH_COLD_HOST=1 measures as rounds 1–4 did: the run's host imports for the first time.
            if (Environment.GetEnvironmentVariable("MULTILINE_BENCH_COLD_HOST") != "1")
                await WarmUpHostAsync(host.Services, tenant);
        }

        long firstRow = 0, finished = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var events = host.Services.GetRequiredService<BatchProgressNotifier>().Subscribe(null, e =>
        {
            if (e is RowProcessed && firstRow == 0)
                firstRow = Stopwatch.GetTimestamp();
            if (e is BatchStateChanged { State: var state } && BatchStates.IsFinished(state))
            {
                finished = Stopwatch.GetTimestamp();
                done.TrySetResult();
            }
        });
        var import = host.Services.GetRequiredService<AccountImport>();
        var upload = new ImportUpload("accounts.csv", csv);

        await using var peak = PeakMemory.Start();
        SqlCommands.Reset();
        var start = Stopwatch.GetTimestamp();
        var batchId = await CommitAsync(import, new ImportCommand(upload, tenant.Target, scenario.Invite, OnlyValidRows: false, TestActors.Admin));
        var committed = Stopwatch.GetTimestamp();
        var peakAtCommit = peak.Bytes;
        var paused = 0L;
        if (scenario.ShortOfCapacity)
        {
            // Another admin takes numbers between the commit and the worker: the batch runs short halfway.
            var before = Stopwatch.GetTimestamp();
            await TakeCapacityAsync(host.Services, tenant.OrganizationId, rows / 2);
            paused = Stopwatch.GetTimestamp() - before;
            await host.StartAsync();
        }
        await done.Task.WaitAsync(Timeout);

        BatchOperation batch;
        int invited;
        await using (var db = await host.Services.GetRequiredService<SystemDbContextFactory>().CreateAsync())
        {
            batch = await db.Batches.AsNoTracking().SingleAsync(b => b.Id == batchId);
            invited = await db.BatchRows.CountAsync(r => r.BatchOperationId == batchId && r.InvitationId != null);
        }
        if (batch.Succeeded != rows)
            throw new InvalidOperationException($"Expected {rows:N0} imported rows, got {batch.Succeeded:N0} ({batch.State}, {batch.FailureReason}).");
        long end = finished;
        double? lastInvitation = null;
        if (scenario.Invite)
        {
            var expected = scenario.ShortOfCapacity ? invited : rows;
            if (invited != expected || (scenario.ShortOfCapacity && (invited == 0 || invited == rows)))
                throw new InvalidOperationException($"{invited:N0} rows were invited; expected {(scenario.ShortOfCapacity ? "some but not all" : expected.ToString("N0"))}.");
            var deadline = Stopwatch.StartNew();
            while (arrivals.Count < expected)
            {
                if (deadline.Elapsed > Timeout)
                    throw new TimeoutException($"The SMTP server accepted {arrivals.Count:N0} of {expected:N0} invitations.");
                await Task.Delay(2);
            }
            var accepted = arrivals.Take(expected).Max();
            lastInvitation = Seconds(start, accepted) - Seconds(0, paused);
            end = Math.Max(end, accepted);
        }
        var peakBytes = peak.Bytes;
        var sql = SqlCommands.Read();
        // Not part of the run's time: when the hosted catch-up had put the new accounts in the search index (the search
        // finds them before that too, by scanning them).
        var indexed = await SearchIndexCaughtUpAsync(host.Services, start);

        if (sendFloor && smtp is not null)
        {
            // The raw floor's messages are the invitations this run sent, built as the sender builds them.
            List<MimeMessage> messages;
            var options = host.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
            await using (var db = await host.Services.GetRequiredService<SystemDbContextFactory>().CreateAsync())
                messages = (await db.EmailMessages.AsNoTracking().Where(m => m.Kind == EmailKind.Invitation).OrderBy(m => m.Id).ToListAsync())
                    .Where(m => m.ToAddress.EndsWith("@" + BenchCsv.Domain, StringComparison.Ordinal))
                    .Select(m => OutboxMime.Build(m, options)).ToList();
            var sent = await RawFloors.SendAsync(messages, smtp.Port);
            sendFloors?.Add(sent.TotalSeconds);
        }
        await host.StopAsync();

        var times = new RunTimes(
            Seconds(start, end) - Seconds(0, paused),
            Seconds(start, committed),
            firstRow == 0 ? double.NaN : Seconds(start, firstRow) - Seconds(0, paused),
            Seconds(start, finished) - Seconds(0, paused),
            lastInvitation,
            invited,
            peakBytes,
            peakAtCommit,
            peak.StartBytes,
            sql.Count,
            sql.Seconds,
            indexed);
        return (times, tenant);
    }

    /// <summary>Seconds from <paramref name="start"/> until the search index holds every account; NaN on engines that index on insert.</summary>
    /// <summary>
    /// The commit as the API makes it, keeping only the batch's id: the request ends there, so the checked file it
    /// returns is garbage while the worker runs (a local holding the outcome would keep 100,000 checked rows alive).
    /// </summary>
    private static async Task<int> CommitAsync(AccountImport import, ImportCommand command)
    {
        var outcome = await import.CommitAsync(command);
        if (!outcome.Succeeded)
            throw new InvalidOperationException($"The commit was refused: {outcome.Result.Error}");
        return outcome.Result.BatchId!.Value;
    }

    /// <summary>
    /// A portal that has imported before: the run's own host imports a small file first and waits until that batch has
    /// finished and its accounts are in the search index. EF Core builds its model, compiled queries and property
    /// accessors once per host (a new application service provider gets a new internal one), so without this every
    /// measured run paid those first-use costs, which a running server pays once after it starts. Not possible when the
    /// scenario keeps the worker stopped until after its commit (capacity short).
    /// </summary>
    private async Task WarmUpHostAsync(IServiceProvider services, Tenant tenant)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (services.GetRequiredService<BatchProgressNotifier>().Subscribe(null, e =>
        {
            if (e is BatchStateChanged { State: var state } && BatchStates.IsFinished(state))
                done.TrySetResult();
        }))
        {
            var upload = new ImportUpload("warm-up.csv", BenchCsv.Import(BenchCsv.Accounts(WarmUpRows, "warmhost")));
            var outcome = await services.GetRequiredService<AccountImport>()
                .CommitAsync(new ImportCommand(upload, tenant.WarmUpTarget, Invite: false, OnlyValidRows: false, TestActors.Admin));
            if (!outcome.Succeeded)
                throw new InvalidOperationException($"The host's warm-up import was refused: {outcome.Result.Error}");
            await done.Task.WaitAsync(Timeout);
        }
        await SearchIndexCaughtUpAsync(services, Stopwatch.GetTimestamp());
        if (engine.Engine.Name == "Sqlite")
        {
            // The warm-up's pages go into the database file now, as the cold copies start: otherwise the measured run's
            // first commits would also pay for checkpointing what the warm-up and its search indexing wrote.
            await using var db = await services.GetRequiredService<SystemDbContextFactory>().CreateAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    private async Task<double> SearchIndexCaughtUpAsync(IServiceProvider services, long start)
    {
        if (engine.Engine.Name != "Sqlite")
            return double.NaN;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Timeout)
        {
            await using (var db = await services.GetRequiredService<SystemDbContextFactory>().CreateAsync())
            {
                var behind = await db.Database.SqlQuery<long>($"""
                    SELECT count(*) AS "Value" FROM "Accounts" WHERE "Id" > (SELECT "IndexedThrough" FROM "SearchIndexState" WHERE "Name" = 'Accounts')
                    """).SingleAsync();
                if (behind == 0)
                    return Seconds(start, Stopwatch.GetTimestamp());
            }
            await Task.Delay(20);
        }
        return double.NaN;
    }

    /// <summary>Reserves Available numbers of the organization until only <paramref name="leave"/> of its free capacity is left.</summary>
    private static async Task TakeCapacityAsync(IServiceProvider services, int organizationId, int leave)
    {
        await using var db = await services.GetRequiredService<SystemDbContextFactory>().CreateAsync();
        var take = (await db.FreeCapacityAsync(organizationId)).Value - leave;
        var ids = await db.Numbers.Where(n => n.OrganizationId == organizationId && n.State == NumberState.Available && n.AccountId == null)
            .OrderByDescending(n => n.Id).Select(n => n.Id).Take(take).ToListAsync();
        foreach (var chunk in ids.Chunk(500))
            await db.Numbers.Where(n => chunk.Contains(n.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(n => n.State, NumberState.Reserved).SetProperty(n => n.ReservationTag, "VIP"));
    }

    // ---- 7. The Accounts page's query ----

    private async Task<IReadOnlyList<ScenarioResult>> AccountsPageAsync(int runs)
    {
        await using var database = await CopyAsync();
        using var host = BuildHost(database, folder, smtpPort: null, maxRows: Rows);
        var tenant = await Tenant.ReadAsync(host.Services);
        var contexts = host.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>();
        (string Id, string Name, AdminScope Scope, AccountSearch Search)[] cases =
        [
            ("7a", "Accounts page, 50 rows: search \"müller\", super admin", tenant.SuperAdmin, new AccountSearch("müller")),
            ("7b", "Accounts page, 50 rows: scoped admin (Acme Support subtree)", tenant.SupportAdmin, new AccountSearch()),
            ("7c", "Accounts page, 50 rows: search \"müller\", scoped admin", tenant.SupportAdmin, new AccountSearch("müller")),
        ];
        var results = new List<ScenarioResult>();
        await using var peak = PeakMemory.Start();
        foreach (var (id, name, scope, search) in cases)
        {
            // The page's own path: a context from ScopedDbContextFactory for the signed-in admin, then AccountDirectory.
            var factory = new ScopedDbContextFactory(contexts, new SignedIn(scope));
            var matches = 0;
            var times = new List<double>();
            var commands = new List<(long Count, double Seconds)>();
            for (var run = -2; run < runs; run++)
            {
                SqlCommands.Reset();
                var watch = Stopwatch.StartNew();
                await using (var db = await factory.CreateAsync())
                {
                    var page = await AccountDirectory.SearchAsync(db, search, new PageRequest(0, 50));
                    matches = page.TotalCount;
                    if (page.Items.Count == 0)
                        throw new InvalidOperationException($"{name}: no rows.");
                }
                if (run >= 0)
                {
                    times.Add(watch.Elapsed.TotalSeconds);
                    commands.Add(SqlCommands.Read());
                }
            }
            Console.Error.WriteLine($"  {name}: median {Median(times) * 1000:N1} ms, {matches:N0} matches");
            results.Add(new ScenarioResult(id, name, 50, [.. times], [], null, peak.Bytes / 1024.0 / 1024,
                new Dictionary<string, double[]>
                {
                    ["matches"] = [matches],
                    [SqlCount] = [.. commands.Select(c => (double)c.Count)],
                    [SqlTime] = [.. commands.Select(c => c.Seconds)],
                }));
        }
        return results;
    }

    private sealed class SignedIn(AdminScope scope) : ICurrentAdmin
    {
        public Task<AdminScope> GetScopeAsync() => Task.FromResult(scope);

        public Task<MultiLine.Core.Activity.ActivityActor> GetActorAsync() =>
            Task.FromResult(new MultiLine.Core.Activity.ActivityActor(scope.AdminId, "Benchmark admin", null, MultiLine.Core.Activity.ActivitySource.Portal));
    }

    // ---- Shared ----

    /// <summary>The ids the scenarios work with, read from a copy of the template (the same in every copy).</summary>
    private sealed record Tenant(int OrganizationId, int GroupId, AdminScope SuperAdmin, AdminScope SupportAdmin, ImportTarget WarmUpTarget)
    {
        public ImportTarget Target => new(OrganizationId, GroupId, SuperAdmin);

        /// <summary>Where a host's warm-up imports: the measured organization's parent, with the same rules, whose imports leave the measured organization's free capacity (its own numbers and accounts only) as it was.</summary>
        private const string WarmUpOrganization = "Acme Corp";

        public static async Task<Tenant> ReadAsync(IServiceProvider services)
        {
            await using var db = await services.GetRequiredService<SystemDbContextFactory>().CreateAsync();
            var sales = await db.Organizations.AsNoTracking().SingleAsync(o => o.Name == Organization);
            var group = await AccountImport.DefaultPermissionGroupAsync(db, sales.Id)
                ?? throw new InvalidOperationException($"{Organization} has no default User Permissions group.");
            var admins = await db.Admins.AsNoTracking().Include(a => a.Role).Include(a => a.ScopeOrganization)
                .Where(a => a.Email == "admin@multiline.example" || a.Email == DemoDataSeeder.ScopedAdminEmail).ToListAsync();
            AdminScope Scope(string email) => admins.Single(a => a.Email == email) is var a
                ? new AdminScope(a.Id, a.ScopeOrganization?.Path, a.Role!.Privileges)
                : throw new InvalidOperationException();
            var sibling = await db.Organizations.AsNoTracking().SingleAsync(o => o.Name == WarmUpOrganization);
            var siblingGroup = await AccountImport.DefaultPermissionGroupAsync(db, sibling.Id)
                ?? throw new InvalidOperationException($"{WarmUpOrganization} has no default User Permissions group.");
            var super = Scope("admin@multiline.example");
            return new Tenant(sales.Id, group, super, Scope(DemoDataSeeder.ScopedAdminEmail), new ImportTarget(sibling.Id, siblingGroup, super));
        }
    }

    private Task<BenchDatabase> CopyAsync() => engine.CopyAsync(template, $"copy{Environment.ProcessId}_{++_copies}");

    /// <summary>
    /// The portal's services on <paramref name="database"/>, configured as in production except for the upload limit
    /// and the mail server: the loopback SMTP server when <paramref name="smtpPort"/> is set, else the pickup folder.
    /// Nothing is started here; starting the host starts the batch worker and the outbox sender.
    /// </summary>
    private static IHost BuildHost(BenchDatabase database, string folder, int? smtpPort, int maxRows)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Benchmark", ContentRootPath = folder });
        builder.Configuration.AddInMemoryCollection(database.Settings);
        var settings = new Dictionary<string, string?>
        {
            ["Import:MaxRows"] = maxRows.ToString(),
            ["Import:MaxFileBytes"] = (256L * 1024 * 1024).ToString(),
            ["Invitations:PublicBaseUrl"] = "https://portal.example/",
            ["Smtp:PickupFolder"] = Path.Combine(folder, "outbox"),
        };
        if (smtpPort is { } port)
        {
            settings["Smtp:Host"] = "127.0.0.1";
            settings["Smtp:Port"] = port.ToString();
            settings["Smtp:TlsMode"] = "None";
        }
        builder.Configuration.AddInMemoryCollection(settings);
        // Any setting can be tried without a rebuild, e.g. MULTILINE_BENCH_Batches__RowsPerTransaction=500.
        builder.Configuration.AddEnvironmentVariables("MULTILINE_BENCH_");
        builder.Services.AddLogging(); // no provider: the bench prints its own lines
        builder.AddMultiLineDatabase(SqliteEngine.Instance, PostgreSqlEngine.Instance);
        builder.AddMultiLineDemoData();
        builder.AddMultiLineImports();
        builder.AddMultiLineBatches();
        builder.AddMultiLineInvitationServices();
        return builder.Build();
    }

    private static double Seconds(long from, long to) => (to - from) / (double)Stopwatch.Frequency;

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
            return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Show(double seconds) =>
        double.IsNaN(seconds) ? "—"
        : seconds >= 1 ? $"{seconds:N2} s"
        : seconds >= 0.01 ? $"{seconds * 1000:N0} ms"
        : seconds >= 0.001 ? $"{seconds * 1000:N1} ms"
        : $"{seconds * 1000:N2} ms";
}
