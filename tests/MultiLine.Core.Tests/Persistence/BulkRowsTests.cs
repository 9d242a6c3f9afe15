using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Tests.Persistence;

/// <summary>The worker's set-based writes store every column exactly as <c>SaveChanges</c> would, on each engine.</summary>
public sealed class BulkRowsTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<(int Organization, int Group)> SeedAsync()
    {
        await using var db = _database.CreateDbContext();
        var organization = new Organization { Name = "Acme", AllowedEmailDomains = ["acme.example"] };
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(Token);
        organization.Path = Organization.PathFor(null, organization.Id);
        var group = new PermissionGroup { Name = "Standard", OrganizationId = organization.Id };
        db.PermissionGroups.Add(group);
        await db.SaveChangesAsync(Token);
        return (organization.Id, group.Id);
    }

    private static Account NewAccount(int n, int organization, int group) => new()
    {
        FirstName = n % 2 == 0 ? "Jürgen" : null,
        // Quotes, a backslash, control characters and characters outside the BMP: the JSON a group travels in must keep them.
        LastName = n % 2 == 0 ? "O'Brien; \"Müller\" \\ 😀" : "张伟\t\n\u0001",
        Username = $"User{n}@Acme.example",
        NormalizedUsername = $"user{n}@acme.example",
        OrganizationId = organization,
        PermissionGroupId = group,
        SocialMessaging = true,
        MonitorCalls = MonitorCalls.Auto,
        MonitorSms = MonitorSms.On,
        ForwardingNumber = n % 2 == 0 ? "+14155550100" : null,
        Language = Language.German,
        Status = AccountStatus.InvitationFailed,
        InvitationError = "Not enough numbers.",
        // Microseconds: the finest both engines keep (PostgreSQL timestamptz).
        CreatedAtUtc = new DateTime(2026, 11, 26, 8, 30, 15, 123, DateTimeKind.Utc).AddTicks(4560),
    };

    [Fact]
    public async Task InsertedRowsHoldTheSameStoredValuesAsSaveChangesWritesAndGetTheirKeys()
    {
        var (organization, group) = await SeedAsync();
        await using (var db = _database.CreateDbContext())
        {
            db.Accounts.Add(NewAccount(0, organization, group));
            db.Accounts.Add(NewAccount(1, organization, group));
            await db.SaveChangesAsync(Token);
        }

        var bulk = Enumerable.Range(2, 1_100).Select(n => NewAccount(n, organization, group)).ToList();
        await using (var db = _database.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Token);
            await BulkRows.InsertAsync(db, bulk, Token);
            await transaction.CommitAsync(Token);
        }

        Assert.All(bulk, a => Assert.True(a.Id > 0));
        Assert.Equal(bulk.Count, bulk.Select(a => a.Id).Distinct().Count());
        await using var check = _database.CreateDbContext();
        var stored = await StoredColumnsAsync(check, "Accounts");
        var byId = bulk.ToDictionary(a => a.Id);
        Assert.Equal(1_102, stored.Count);
        foreach (var n in new[] { 0, 1 })
        {
            var viaSaveChanges = stored.Single(r => Equals(r["NormalizedUsername"], $"user{n}@acme.example"));
            var viaBulk = stored.Single(r => Equals(r["NormalizedUsername"], $"user{n + 2}@acme.example"));
            foreach (var column in viaSaveChanges.Keys.Except(["Id", "Username", "NormalizedUsername"]))
                Assert.True(Equals(viaSaveChanges[column], viaBulk[column]), $"{column}: SaveChanges stored {viaSaveChanges[column]}, bulk {viaBulk[column]}.");
        }
        // And EF reads them back as they were written, key included.
        var read = await check.Accounts.AsNoTracking().SingleAsync(a => a.Id == bulk[500].Id, Token);
        Assert.Equivalent(bulk[500], read);
        Assert.Equal(DateTimeKind.Utc, read.CreatedAtUtc.Kind);
    }

    [Fact]
    public async Task AnUpdateChangesOnlyTheNamedColumnsOfEachRow()
    {
        var (organization, group) = await SeedAsync();
        // More rows than one statement takes, so the update spans groups.
        var accounts = Enumerable.Range(0, BulkRows.RowsPerJsonStatement + 3).Select(n => NewAccount(n, organization, group)).ToList();
        await using (var db = _database.CreateDbContext())
        {
            db.Accounts.AddRange(accounts);
            await db.SaveChangesAsync(Token);
        }

        var later = new DateTime(2026, 12, 1, 9, 0, 0, 1, DateTimeKind.Utc).AddTicks(20);
        foreach (var account in accounts)
        {
            account.Status = AccountStatus.Invited;
            account.InvitationError = null;
            account.LastName = "Nguyễn \"😀\"";
            account.CreatedAtUtc = later;
            account.FirstName = "not written";
        }
        var updated = accounts.Take(accounts.Count - 1).ToList();
        await using (var db = _database.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Token);
            await BulkRows.UpdateAsync(db, updated, Token, a => a.Status, a => a.InvitationError, a => a.LastName, a => a.CreatedAtUtc);
            await transaction.CommitAsync(Token);
        }

        await using var check = _database.CreateDbContext();
        var rows = await check.Accounts.AsNoTracking().OrderBy(a => a.Id).ToListAsync(Token);
        Assert.All(rows.Take(updated.Count), a =>
        {
            Assert.Equal(AccountStatus.Invited, a.Status);
            Assert.Null(a.InvitationError);
            Assert.Equal("Nguyễn \"😀\"", a.LastName);
            Assert.Equal(later, a.CreatedAtUtc);
        });
        Assert.Equal(AccountStatus.InvitationFailed, rows[^1].Status);
        Assert.Equal("Not enough numbers.", rows[^1].InvitationError);
        Assert.DoesNotContain(rows, a => a.FirstName == "not written");
        // Stored exactly as SaveChanges stores the same values.
        await using (var db = _database.CreateDbContext())
        {
            var lastId = rows[^1].Id;
            var last = await db.Accounts.SingleAsync(a => a.Id == lastId, Token);
            last.CreatedAtUtc = later;
            await db.SaveChangesAsync(Token);
        }
        var stored = await StoredColumnsAsync(check, "Accounts");
        Assert.Single(stored.Select(r => r["CreatedAtUtc"]).Distinct());
    }

    [Fact]
    public async Task AFailingStatementThrowsAndTheTransactionRollsBackAsAWhole()
    {
        var (organization, group) = await SeedAsync();
        var accounts = new[] { NewAccount(0, organization, group), NewAccount(1, organization, group), NewAccount(0, organization, group) };

        await using (var db = _database.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Token);
            await Assert.ThrowsAnyAsync<DbException>(() => BulkRows.InsertAsync(db, accounts, Token));
            await transaction.RollbackAsync(Token);
        }

        await using var check = _database.CreateDbContext();
        Assert.Equal(0, await check.Accounts.CountAsync(Token));
    }

    [Fact]
    public async Task WritesOutsideATransactionAreRefused()
    {
        var (organization, group) = await SeedAsync();
        await using var db = _database.CreateDbContext();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => BulkRows.InsertAsync(db, [NewAccount(0, organization, group)], Token));

        Assert.Contains("inside the caller's transaction", error.Message);
    }

    [Fact]
    public async Task OutboxEmailsWithLongBodiesAreStoredWhole()
    {
        var (organization, _) = await SeedAsync();
        var body = string.Concat(Enumerable.Repeat("<p>Willkommen, Jürgen!</p>", 2_000));
        var messages = Enumerable.Range(0, 3).Select(n => new EmailMessage
        {
            Kind = EmailKind.Invitation, OrganizationId = organization, ToAddress = $"u{n}@acme.example", Subject = "Welcome",
            HtmlBody = body, TextBody = "Willkommen", State = EmailState.Queued,
            CreatedAtUtc = DateTime.UtcNow, NextAttemptAtUtc = DateTime.UtcNow,
        }).ToList();

        await using (var db = _database.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Token);
            await BulkRows.InsertAsync(db, messages, Token);
            await transaction.CommitAsync(Token);
        }

        await using var check = _database.CreateDbContext();
        var stored = await check.EmailMessages.AsNoTracking().OrderBy(m => m.Id).ToListAsync(Token);
        Assert.Equal(messages.Select(m => m.Id), stored.Select(m => m.Id));
        Assert.All(stored, m => Assert.Equal(body, m.HtmlBody));
    }

    [Fact]
    public async Task InvitationsAndTheirEmailsHoldTheSameStoredValuesAsSaveChangesWrites()
    {
        var (organization, group) = await SeedAsync();
        var account = NewAccount(0, organization, group);
        await using (var db = _database.CreateDbContext())
        {
            db.Accounts.Add(account);
            await db.SaveChangesAsync(Token);
        }
        var at = new DateTime(2026, 11, 26, 8, 30, 15, 123, DateTimeKind.Utc).AddTicks(4560);
        EmailMessage Email(string subject) => new()
        {
            Kind = EmailKind.Invitation, OrganizationId = organization, AccountId = account.Id, ToAddress = "u@acme.example", ToName = "Jürgen 😀",
            Subject = subject, HtmlBody = "<p>Hallo</p>", TextBody = "Hallo\n", State = EmailState.Queued, Attempts = 2, LastError = "451 later",
            CreatedAtUtc = at, NextAttemptAtUtc = at.AddMinutes(1), ClaimExpiresAtUtc = at.AddMinutes(2), ClaimedBy = "worker-1",
        };
        Invitation Invite(string hash, EmailMessage email) => new()
        {
            AccountId = account.Id, TokenHash = hash, Language = Language.French, CreatedAtUtc = at, ExpiresAtUtc = at.AddDays(7),
            RevokedAtUtc = at.AddHours(1), EmailMessageId = email.Id,
        };

        await using (var db = _database.CreateDbContext())
        {
            var email = Email("saved");
            db.EmailMessages.Add(email);
            await db.SaveChangesAsync(Token);
            db.Invitations.Add(Invite("saved", email));
            await db.SaveChangesAsync(Token);
        }
        await using (var db = _database.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(Token);
            var email = Email("bulk");
            await BulkRows.InsertAsync(db, [email], Token);
            await BulkRows.InsertAsync(db, [Invite("bulk", email)], Token);
            await transaction.CommitAsync(Token);
        }

        await using var check = _database.CreateDbContext();
        AssertSameStored(await StoredColumnsAsync(check, "EmailMessages"), "Subject", ["Id"]);
        AssertSameStored(await StoredColumnsAsync(check, "Invitations"), "TokenHash", ["Id", "EmailMessageId"]);
    }

    [Fact]
    public async Task TheEnginesBatchRowWriterStoresEveryColumnAsSaveChangesWrites()
    {
        var (organization, group) = await SeedAsync();
        var processed = new DateTime(2026, 11, 26, 8, 30, 15, 123, DateTimeKind.Utc).AddTicks(4560);
        BatchRow Row(int number) => new()
        {
            RowNumber = number, FirstName = "Jürgen", LastName = "O'Brien; \"Müller\" \\ 😀", Username = "A@acme.example", NormalizedUsername = "a@acme.example",
            MultiLineNumber = "+14155550100", SocialMessaging = true, RestrictIncomingSocialMessaging = true, MonitorCalls = MonitorCalls.Off,
            MonitorSms = MonitorSms.On, ForwardingNumber = "+14155550101", Language = Language.Spanish, TargetAccountId = null, PermissionGroupId = group,
            UpdateFields = AccountFields.FirstName | AccountFields.PermissionGroup, Outcome = RowOutcome.Failed, Reason = "Taken.\tReally",
            AccountId = null, Number = "+14155550102", Invitation = InvitationState.Sent, InvitationId = null, ProcessedAtUtc = processed,
        };
        await using (var db = _database.CreateDbContext())
        {
            var batch = new BatchOperation { Kind = BatchKind.Import, AdminName = "Test", OrganizationId = organization, TotalRows = 2, CreatedAtUtc = processed };
            db.Batches.Add(batch);
            await db.SaveChangesAsync(Token);
            var saved = Row(1);
            saved.BatchOperationId = batch.Id;
            db.BatchRows.Add(saved);
            await db.SaveChangesAsync(Token);
            await using var transaction = await db.Database.BeginTransactionAsync(Token);
            await db.Engine!.InsertBatchRowsAsync(db, batch.Id, [Row(2)], Token);
            await transaction.CommitAsync(Token);
        }

        await using var check = _database.CreateDbContext();
        AssertSameStored(await StoredColumnsAsync(check, "BatchRows"), "RowNumber", ["Id"]);
    }

    /// <summary>Two stored rows, told apart by <paramref name="by"/>, hold the same value in every other column but <paramref name="except"/>.</summary>
    private static void AssertSameStored(List<Dictionary<string, object?>> rows, string by, string[] except)
    {
        Assert.Equal(2, rows.Count);
        foreach (var column in rows[0].Keys.Except([by, .. except]))
            Assert.True(Equals(rows[0][column], rows[1][column]), $"{column}: SaveChanges stored {rows[0][column] ?? "null"}, the bulk path {rows[1][column] ?? "null"}.");
        Assert.Contains(rows[0].Keys, k => k == "CreatedAtUtc" || k == "ProcessedAtUtc");
    }

    /// <summary>Every row of <paramref name="table"/> as the engine stores it, read past EF Core's converters.</summary>
    private async Task<List<Dictionary<string, object?>>> StoredColumnsAsync(MultiLineDbContext db, string table)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
            await connection.OpenAsync(Token);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\"";
        await using var reader = await command.ExecuteReaderAsync(Token);
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync(Token))
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        return rows;
    }

    public void Dispose() => _database.Dispose();
}
