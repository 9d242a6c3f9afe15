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
        if (args is ["scenario", var name])
            return await RunScenarioAsync(Scenarios.Single(s => s.Name == name));

        Console.WriteLine("| scenario | rows | processing | rows/s | peak working set |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var scenario in Scenarios)
        {
            var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, [.. Environment.GetCommandLineArgs()[1..1], typeof(BatchProcessingBench).Assembly.Location, "batch", "scenario", scenario.Name])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var output = await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            Console.WriteLine(output.Split('\n').LastOrDefault(l => l.StartsWith('|'))?.Trim() ?? $"| {scenario.Name} | failed (exit {child.ExitCode}) |");
        }
        return 0;
    }

    private static async Task<int> RunScenarioAsync((string Name, int Rows, bool Invite) scenario)
    {
        var folder = Directory.CreateTempSubdirectory("multiline-batch-bench-").FullName;
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Benchmark" });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Path"] = Path.Combine(folder, "bench.db"),
                ["Import:MaxRows"] = "1000000",
                ["Import:MaxFileBytes"] = "1000000000",
                ["Smtp:PickupFolder"] = Path.Combine(folder, "outbox"),
                ["Demo:Seed"] = "true",
                ["Demo:Accounts"] = "200000",
            });
            builder.Services.AddLogging(logging => { if (Environment.GetEnvironmentVariable("BENCH_SQL") == "1") logging.AddSimpleConsole(o => { o.TimestampFormat = "HH:mm:ss.fff "; o.SingleLine = true; }).AddFilter("Microsoft.EntityFrameworkCore.Database.Command", Microsoft.Extensions.Logging.LogLevel.Information).AddFilter("Microsoft", Microsoft.Extensions.Logging.LogLevel.Warning).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Information); });
            builder.AddMultiLineDatabase();
            builder.AddMultiLineDemoData();
            builder.AddMultiLineImports();
            builder.AddMultiLineBatches();
            builder.AddMultiLineInvitationServices();
            using var host = builder.Build(); // not started: no worker, no sender; the bench drives the processor itself
            await host.Services.MigrateDatabaseAsync();
            await host.Services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync(new DemoOptions { Accounts = 200_000 });

            var batchId = await SubmitAsync(host.Services, scenario.Rows, scenario.Invite);
            await using (var checkpoint = await host.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>().CreateDbContextAsync())
                await checkpoint.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
            GC.Collect();
            GC.WaitForPendingFinalizers();

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

            var watch = Stopwatch.StartNew();
            await using (var scope = host.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<BatchProcessor>().RunAsync(batchId, CancellationToken.None);
            watch.Stop();
            await sampling.CancelAsync();
            await sampler;

            await using var db = await host.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>().CreateDbContextAsync();
            var batch = await db.Batches.SingleAsync(b => b.Id == batchId);
            if (batch.Succeeded != scenario.Rows)
                throw new InvalidOperationException($"Expected {scenario.Rows} succeeded rows, got {batch.Succeeded} ({batch.State}, {batch.FailureReason}).");
            Console.WriteLine($"| {scenario.Name} | {scenario.Rows:N0} | {watch.Elapsed.TotalSeconds:N2} s | {scenario.Rows / watch.Elapsed.TotalSeconds:N0} | {peak / 1024.0 / 1024:N0} MB |");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<int> SubmitAsync(IServiceProvider services, int rows, bool invite)
    {
        var factory = services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>();
        Organization organization;
        int groupId;
        await using (var db = await factory.CreateDbContextAsync())
        {
            organization = await db.Organizations.SingleAsync(o => o.Name == "Acme Sales");
            var groups = await db.PermissionGroups.UsableBy(organization).ToListAsync();
            groupId = PermissionGroupInheritance.DefaultFor(organization, groups)!.Id;
            if (invite)
            {
                // Demo accounts waiting for a number already use up capacity: add enough for the whole file.
                var capacity = await db.FreeCapacityAsync(organization.Id);
                var added = await NumberInventory.AddRangeAsync(db, organization.Id, "+14159000000", rows - capacity.Value + 100);
                if (!added.Succeeded)
                    throw new InvalidOperationException(added.Error);
            }
        }

        var csv = new StringBuilder("firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language\r\n");
        for (var i = 0; i < rows; i++)
            csv.Append("Bench,User ").Append(i).Append(",bench").Append(i).Append("@sales.acme.example,No,,auto,on,,,English\r\n");
        var target = new ImportTarget(organization.Id, groupId, AdminScope.System);
        var validation = await services.GetRequiredService<ImportValidator>().ValidateAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv.ToString())), target);
        var submitted = await services.GetRequiredService<ImportSubmission>().SubmitAsync(new ImportRequest(validation, target, "bench.csv", invite, false, "Bench"));
        return submitted.BatchId ?? throw new InvalidOperationException(submitted.Error);
    }
}
