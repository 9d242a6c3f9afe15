using MultiLine.Tests;
using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Demo;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.Sqlite;

namespace MultiLine.Benchmarks;

/// <summary>
/// Processing time and peak memory of one batch through the real <see cref="BatchProcessor"/> on a SQLite file that
/// already holds the demo tenant with 200,000 accounts. Each scenario runs in its own process so peak memory is its own.
/// Targets: 1,000 rows ≤ 1 s; 100,000 rows ≤ 30 s with peak working set ≤ 400 MB.
/// Usage: dotnet run -c Release --project tests/MultiLine.Benchmarks -- batch
/// </summary>
public static class BatchProcessingBench
{
    private static readonly (string Name, int Rows, bool Invite)[] Scenarios =
    [
        ("import-1000", 1_000, false),
        ("import-and-invite-1000", 1_000, true),
        ("import-100000", 100_000, false),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        switch (args)
        {
            case ["prepare", var name, var folder]:
                return await PrepareAsync(Scenarios.Single(s => s.Name == name), folder);
            case ["process", var name, var folder, var warmUp, var batchId]:
                return await ProcessAsync(Scenarios.Single(s => s.Name == name), folder, int.Parse(warmUp), int.Parse(batchId));
        }

        Console.WriteLine("| scenario | rows | processing | first row shown | rows/s | peak working set |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var scenario in Scenarios)
        {
            var folder = Directory.CreateTempSubdirectory("multiline-batch-bench-").FullName;
            try
            {
                // Seeding and checking the file happen in one process; the batch runs in a fresh one, as after a restart.
                var prepared = await ChildProcess.RunAsync(["batch", "prepare", scenario.Name, folder]);
                if (!prepared.Succeeded || prepared.Output.Trim().Split('\n').Last().Split(' ') is not [var warmUp, var batchId])
                {
                    Console.WriteLine($"| {scenario.Name} | failed to prepare: {prepared.Failure()} |");
                    continue;
                }
                var processed = await ChildProcess.RunAsync(["batch", "process", scenario.Name, folder, warmUp, batchId]);
                var line = processed.Output.Split('\n').LastOrDefault(l => l.StartsWith('|'))?.Trim();
                Console.WriteLine(processed.Succeeded && line is not null ? line : $"| {scenario.Name} | failed: {processed.Failure()} |");
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        return 0;
    }

    private static IHost BuildHost(string folder)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Benchmark" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Path"] = Path.Combine(folder, "bench.db"),
            ["Import:MaxRows"] = "1000000",
            ["Import:MaxFileBytes"] = "1000000000",
            ["Smtp:PickupFolder"] = Path.Combine(folder, "outbox"),
        });
        builder.Services.AddLogging();
        builder.AddMultiLineDatabase(SqliteEngine.Instance);
        builder.AddMultiLineDemoData();
        builder.AddMultiLineImports();
        builder.AddMultiLineBatches();
        builder.AddMultiLineInvitationServices();
        return builder.Build(); // never started: no worker, no sender; the bench drives the processor itself
    }

    private static async Task<int> PrepareAsync((string Name, int Rows, bool Invite) scenario, string folder)
    {
        using var host = BuildHost(folder);
        await host.Services.MigrateDatabaseAsync();
        await host.Services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync(new DemoOptions { Accounts = 200_000 });
        // A small batch of the same kind warms the worker up (JIT, EF query compilation), as in a running service.
        var warmUp = await SubmitAsync(host.Services, 20, scenario.Invite, "warmup");
        var batchId = await SubmitAsync(host.Services, scenario.Rows, scenario.Invite, "bench");
        await using (var db = await host.Services.GetRequiredService<SystemDbContextFactory>().CreateAsync())
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        Console.WriteLine($"{warmUp} {batchId}");
        return 0;
    }

    private static async Task<int> ProcessAsync((string Name, int Rows, bool Invite) scenario, string folder, int warmUp, int batchId)
    {
        using var host = BuildHost(folder);
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<BatchProcessor>().RunAsync(warmUp, CancellationToken.None);
        var process = Process.GetCurrentProcess();
        long peak = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                await Task.Delay(20);
            }
        });

        // The first row's event is what a watching page paints first.
        TimeSpan? firstRow = null;
        var watch = Stopwatch.StartNew();
        using var firstEvent = host.Services.GetRequiredService<BatchProgressNotifier>()
            .Subscribe(batchId, e => { if (e is RowProcessed) firstRow ??= watch.Elapsed; });
        await using (var scope = host.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<BatchProcessor>().RunAsync(batchId, CancellationToken.None);
        watch.Stop();
        await sampling.CancelAsync();
        await sampler;

        await using var db = await host.Services.GetRequiredService<SystemDbContextFactory>().CreateAsync();
        var batch = await db.Batches.SingleAsync(b => b.Id == batchId);
        if (batch.Succeeded != scenario.Rows)
            throw new InvalidOperationException($"Expected {scenario.Rows} succeeded rows, got {batch.Succeeded} ({batch.State}, {batch.FailureReason}).");
        Console.WriteLine($"| {scenario.Name} | {scenario.Rows:N0} | {watch.Elapsed.TotalSeconds:N2} s | {firstRow?.TotalMilliseconds:N0} ms | {scenario.Rows / watch.Elapsed.TotalSeconds:N0} | {peak / 1024.0 / 1024:N0} MB |");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return 0;
    }

    private static async Task<int> SubmitAsync(IServiceProvider services, int rows, bool invite, string prefix)
    {
        var factory = services.GetRequiredService<SystemDbContextFactory>();
        Organization organization;
        int groupId;
        await using (var db = await factory.CreateAsync())
        {
            organization = await db.Organizations.SingleAsync(o => o.Name == "Acme Sales");
            var groups = await db.PermissionGroups.UsableBy(organization).ToListAsync();
            groupId = PermissionGroupInheritance.DefaultFor(organization, groups)!.Id;
            if (invite)
            {
                // Demo accounts waiting for a number already use up capacity: add enough for the whole file.
                var capacity = await db.FreeCapacityAsync(organization.Id);
                var added = await NumberInventory.AddRangeAsync(db, organization.Id, prefix == "bench" ? "+14159000000" : "+14158000000", rows - capacity.Value + 100, TestActors.Admin, DateTime.UtcNow);
                if (!added.Succeeded)
                    throw new InvalidOperationException(added.Error);
            }
        }

        var csv = new StringBuilder("firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language\r\n");
        for (var i = 0; i < rows; i++)
            csv.Append("Bench,User ").Append(i).Append(',').Append(prefix).Append(i).Append("@sales.acme.example,No,,auto,on,,,English\r\n");
        var target = new ImportTarget(organization.Id, groupId, AdminScope.System);
        var validation = await services.GetRequiredService<ImportValidator>().ValidateAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())), target);
        var submitted = await services.GetRequiredService<ImportSubmission>().SubmitAsync(new ImportRequest(validation, target, "bench.csv", invite, false, TestActors.Admin));
        return submitted.BatchId ?? throw new InvalidOperationException(submitted.Error);
    }
}
