using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using CsvHelper;
using CsvHelper.Configuration;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.Sqlite;

namespace MultiLine.Benchmarks;

/// <summary>
/// Parse + validate an account CSV (1,000 and 100,000 rows) against a real SQLite file holding 200,000 accounts,
/// next to a raw CsvHelper parse of the same bytes. Targets: 1,000 rows ≤ 50 ms and ≤ 10× the raw parse.
/// </summary>
[MemoryDiagnoser]
public class ImportValidationBenchmarks
{
    private const int ExistingAccounts = 200_000;
    private const int AvailableNumbers = 20_000;

    private string _folder = "";
    private byte[] _csv = [];
    private ImportValidator _validator = null!;
    private ImportTarget _target = null!;

    [Params(1_000, 100_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("multiline-bench-").FullName;
        var options = new DbContextOptionsBuilder<MultiLineDbContext>()
            .UseMultiLineSqlite($"Data Source={Path.Combine(_folder, "bench.db")};Pooling=True")
            .Options;
        var databases = new Databases(options);

        int organizationId, groupId, otherId;
        using (var db = databases.CreateDbContext())
        {
            db.Database.Migrate();
            var organization = new Organization { Name = "Acme", SocialMessagingEnabled = true };
            var other = new Organization { Name = "Other" };
            db.Organizations.AddRange(organization, other);
            db.SaveChanges();
            organization.Path = Organization.PathFor(null, organization.Id);
            other.Path = Organization.PathFor(null, other.Id);
            var group = new PermissionGroup { OrganizationId = organization.Id, Name = "Messaging", Features = Features.Sms, IsDefault = true };
            db.PermissionGroups.Add(group);
            db.SaveChanges();
            (organizationId, groupId, otherId) = (organization.Id, group.Id, other.Id);
        }
        Seed(options, organizationId, groupId, otherId);

        _csv = Csv(Rows);
        var reader = new CsvFileReader(Options.Create(new ImportOptions { MaxRows = 1_000_000, MaxFileBytes = 1L << 30 }));
        _validator = new ImportValidator(reader, new AccountInputValidator(), new SystemDbContextFactory(databases), SqliteEngine.Instance);
        _target = new ImportTarget(organizationId, groupId, new AdminScope(1, $"/{organizationId}/", Privileges.All));
    }

    /// <summary>Raw Microsoft.Data.Sqlite prepared inserts in one transaction: accounts split over two organizations (10% pending), and numbers.</summary>
    private static void Seed(DbContextOptions<MultiLineDbContext> options, int organizationId, int groupId, int otherId)
    {
        using var db = new MultiLineDbContext(options);
        var connection = (SqliteConnection)db.Database.GetDbConnection();
        connection.Open();
        using var transaction = connection.BeginTransaction();
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO Accounts (Username, NormalizedUsername, OrganizationId, PermissionGroupId, SocialMessaging,
                    RestrictIncomingSocialMessaging, MonitorCalls, MonitorSms, Language, Status, CreatedAtUtc)
                VALUES ($u, $u, $org, $group, 0, 0, 1, 1, 0, $status, '2026-01-01 00:00:00')
                """;
            var username = insert.Parameters.Add("$u", SqliteType.Text);
            var organization = insert.Parameters.Add("$org", SqliteType.Integer);
            var status = insert.Parameters.Add("$status", SqliteType.Integer);
            insert.Parameters.AddWithValue("$group", groupId);
            insert.Prepare();
            for (var i = 0; i < ExistingAccounts; i++)
            {
                username.Value = $"existing{i}@example.com";
                status.Value = i % 20 is 0 or 1 ? 0 : 3; // 10% pending (Not invited), half of them in each organization

                organization.Value = i % 2 == 0 ? organizationId : otherId;
                insert.ExecuteNonQuery();
            }
        }
        using (var insert = connection.CreateCommand())
        {
            insert.CommandText = "INSERT INTO Numbers (E164, OrganizationId, State) VALUES ($n, $org, 0)";
            var number = insert.Parameters.Add("$n", SqliteType.Text);
            insert.Parameters.AddWithValue("$org", organizationId);
            insert.Prepare();
            for (var i = 0; i < AvailableNumbers; i++)
            {
                number.Value = $"+1415{i:D7}";
                insert.ExecuteNonQuery();
            }
        }
        transaction.Commit();
    }

    /// <summary>Mostly new email accounts; every 10th names a number, every 50th an existing username, every 20th a phone username.</summary>
    private static byte[] Csv(int rows)
    {
        var text = new StringBuilder("firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language\r\n");
        for (var i = 0; i < rows; i++)
        {
            var username = i % 50 == 0 ? $"existing{i}@example.com" : i % 20 == 0 ? $"+4420{i:D8}" : $"new.user{i}@example.com";
            var number = i % 10 == 0 ? $"+1415{i / 10:D7}" : "";
            text.Append(CultureInfo.InvariantCulture, $"François,Müller {i},{username},Yes,{number},auto,on,,false,French\r\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    [Benchmark(Baseline = true)]
    public int RawCsvHelperParse()
    {
        using var parser = new CsvParser(new StreamReader(new MemoryStream(_csv), Encoding.UTF8), CultureInfo.InvariantCulture);
        var fields = 0;
        while (parser.Read())
            for (var i = 0; i < parser.Count; i++)
                fields += parser[i].Length > 0 ? 1 : 0;
        return fields;
    }

    [Benchmark]
    public async Task<int> ImportParseAndValidate()
    {
        var result = await _validator.ValidateAsync(new MemoryStream(_csv), _target);
        if (result.HasFileErrors)
            throw new InvalidOperationException(result.FileErrors.First().Text);
        return result.Counts.Valid;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private sealed class Databases(DbContextOptions<MultiLineDbContext> options) : IDbContextFactory<MultiLineDbContext>
    {
        public MultiLineDbContext CreateDbContext() => new MultiLineDbContext(options).WithScope(AdminScope.System);
    }
}
