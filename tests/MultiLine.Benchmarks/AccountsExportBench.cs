using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiLine.Benchmarks.Pipeline;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Demo;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.Sqlite;

namespace MultiLine.Benchmarks;

/// <summary>
/// The accounts export of all 200,000 demo accounts (super admin, no filter), written to a stream that only counts bytes:
/// time, size, and the process's peak working set during the export against the same figure for reading one table page.
/// Usage: dotnet run -c Release --project tests/MultiLine.Benchmarks -- export
/// </summary>
public static class AccountsExportBench
{
    public static async Task<int> RunAsync()
    {
        var folder = Directory.CreateTempSubdirectory("multiline-export-bench-").FullName;
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Benchmark" });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Database:Path"] = Path.Combine(folder, "bench.db") });
            builder.Services.AddLogging();
            builder.AddMultiLineDatabase(SqliteEngine.Instance);
            builder.AddMultiLineDemoData();
            using var host = builder.Build();
            await host.Services.MigrateDatabaseAsync();
            await host.Services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync(new DemoOptions { Accounts = 200_000 });
            var factory = host.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>();
            var superAdmin = new AdminScope(1, null, Privileges.All);

            // Warm-up: compile the queries and let the runtime settle, so the measured run is the export's own cost.
            await ExportAsync(factory, superAdmin);
            long pageBytes;
            await using (var peak = PeakMemory.Start())
            {
                await using var db = (await factory.CreateDbContextAsync()).WithScope(superAdmin);
                await AccountDirectory.SearchAsync(db, new AccountSearch(), new Core.Common.PageRequest());
                pageBytes = peak.Bytes;
            }
            long exportBytes, size;
            var watch = Stopwatch.StartNew();
            await using (var peak = PeakMemory.Start())
            {
                size = await ExportAsync(factory, superAdmin);
                exportBytes = peak.Bytes;
            }
            watch.Stop();

            Console.WriteLine("| Accounts export, 200,000 demo accounts (SQLite) | figure |");
            Console.WriteLine("|---|---:|");
            Console.WriteLine($"| file size | {size / 1024.0 / 1024.0:N1} MB |");
            Console.WriteLine($"| time | {watch.Elapsed.TotalSeconds:N2} s |");
            Console.WriteLine($"| peak working set while exporting | {exportBytes / 1024.0 / 1024.0:N0} MB |");
            Console.WriteLine($"| peak working set reading one table page (same process) | {pageBytes / 1024.0 / 1024.0:N0} MB |");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<long> ExportAsync(IDbContextFactory<MultiLineDbContext> factory, AdminScope scope)
    {
        await using var db = (await factory.CreateDbContextAsync()).WithScope(scope);
        var file = await AccountExport.PrepareAsync(db, new AccountExportRequest(new AccountSearch()), DateTimeOffset.UtcNow, CancellationToken.None);
        await using var output = new CountingStream();
        await AccountExport.WriteAsync(db, file!, output, CancellationToken.None);
        return output.Length;
    }

    /// <summary>Where the file goes: nowhere, counted.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
