using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Benchmarks;

/// <summary>
/// The Accounts table's server-side queries (count + one page) on the demo tenant with 200,000 accounts.
/// Usage: dotnet run -c Release --project tests/MultiLine.Benchmarks -- accounts
/// </summary>
public static class AccountsTableBench
{
    public static async Task<int> RunAsync()
    {
        await using var demo = await SeededDemo.StartAsync("accounts");
        var factory = demo.Factory;
        var superAdmin = SeededDemo.SuperAdmin;
        string supportPath;
        int salesId;
        await using (var db = (await factory.CreateDbContextAsync()).WithScope(AdminScope.System))
        {
            supportPath = await db.Organizations.Where(o => o.Name == "Acme Support").Select(o => o.Path).SingleAsync();
            salesId = await db.Organizations.Where(o => o.Name == "Acme Sales").Select(o => o.Id).SingleAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        }

        (string Name, AdminScope Scope, AccountSearch Search, PageRequest Page)[] cases =
        [
            ("first page, all organizations", superAdmin, new(), new(0, 25)),
            ("page 4,000 (rows 99,976-100,000)", superAdmin, new(), new(3999, 25)),
            ("sorted by name", superAdmin, new(), new(0, 25, "Name")),
            ("search \"müller\"", superAdmin, new("müller"), new(0, 25)),
            ("search a number's digits", superAdmin, new("4152000123"), new(0, 25)),
            ("status Invitation failed", superAdmin, new(Status: AccountStatus.InvitationFailed), new(0, 25)),
            ("one organization (Acme Sales)", superAdmin, new(OrganizationId: salesId), new(0, 25)),
            ("scoped admin (Acme Support subtree)", new AdminScope(2, supportPath, Privileges.All), new(), new(0, 25)),
        ];

        Console.WriteLine("| Accounts table query (200,000 accounts) | matches | mean of 5 |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (name, scope, search, page) in cases)
        {
            var total = 0;
            var watch = new Stopwatch();
            for (var run = 0; run < 6; run++)
            {
                await using var db = (await factory.CreateDbContextAsync()).WithScope(scope);
                if (run == 1)
                    watch.Start(); // the first run compiles the query
                total = (await AccountDirectory.SearchAsync(db, search, page)).TotalCount;
            }
            watch.Stop();
            Console.WriteLine($"| {name} | {total:N0} | {watch.Elapsed.TotalMilliseconds / 5:N1} ms |");
        }
        return 0;
    }
}
