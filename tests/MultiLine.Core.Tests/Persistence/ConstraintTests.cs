using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Tests.Persistence;

/// <summary>The database itself refuses what would break an invariant, even if code were wrong.</summary>
public sealed class ConstraintTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly int _organizationId;
    private readonly int _groupId;

    public ConstraintTests()
    {
        using var db = _database.CreateDbContext();
        var organization = new Organization { Name = "Org", Path = "/1/" };
        var group = new PermissionGroup { Organization = organization, Name = "Standard", IsDefault = true, Features = Features.VoiceCalling };
        db.AddRange(organization, group);
        db.SaveChanges();
        _organizationId = organization.Id;
        _groupId = group.Id;
    }

    private Account NewAccount(string username) => new()
    {
        Username = username, NormalizedUsername = username.ToLowerInvariant(), OrganizationId = _organizationId, PermissionGroupId = _groupId,
    };

    [Fact]
    public void TwoAccountsCannotShareANormalizedUsername()
    {
        using var db = _database.CreateDbContext();
        db.Accounts.Add(NewAccount("Jane@Example.com"));
        db.SaveChanges();

        db.Accounts.Add(NewAccount("jane@example.COM"));

        var error = Assert.Throws<DbUpdateException>(() => db.SaveChanges());
        // SQLite: "UNIQUE constraint failed: Accounts.NormalizedUsername"; PostgreSQL: "… unique constraint \"IX_Accounts_NormalizedUsername\"".
        Assert.Contains("NormalizedUsername", error.InnerException!.Message);
    }

    [Fact]
    public void OneAccountCannotHoldTwoNumbers()
    {
        using var db = _database.CreateDbContext();
        var account = NewAccount("a@example.com");
        db.Accounts.Add(account);
        db.SaveChanges();
        db.Numbers.Add(new MultiLineNumber { E164 = "+12125550100", OrganizationId = _organizationId, State = NumberState.Assigned, AccountId = account.Id });
        db.SaveChanges();

        // A fresh context, so EF's own one-to-one fix-up cannot hide the database's answer.
        using var other = _database.CreateDbContext();
        other.Numbers.Add(new MultiLineNumber { E164 = "+12125550101", OrganizationId = _organizationId, State = NumberState.Assigned, AccountId = account.Id });

        var error = Assert.Throws<DbUpdateException>(() => other.SaveChanges());
        Assert.Contains("AccountId", error.InnerException!.Message);
    }

    [Fact]
    public void ANumberExistsOnlyOnce()
    {
        using var db = _database.CreateDbContext();
        db.Numbers.Add(new MultiLineNumber { E164 = "+12125550100", OrganizationId = _organizationId });
        db.SaveChanges();

        db.Numbers.Add(new MultiLineNumber { E164 = "+12125550100", OrganizationId = _organizationId });

        Assert.Throws<DbUpdateException>(() => db.SaveChanges());
    }

    [Fact]
    public void AnOrganizationHasAtMostOneDefaultPermissionGroup()
    {
        using var db = _database.CreateDbContext();
        db.PermissionGroups.Add(new PermissionGroup { OrganizationId = _organizationId, Name = "Second", IsDefault = true });

        Assert.Throws<DbUpdateException>(() => db.SaveChanges());
    }

    [Fact, Trait("Engine", "Sqlite")]
    public void TheDatabaseRunsInWalModeWithForeignKeys()
    {
        using var db = _database.CreateDbContext();
        db.Database.OpenConnection();
        var journal = db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").AsEnumerable().Single();
        var foreignKeys = db.Database.SqlQueryRaw<long>("PRAGMA foreign_keys").AsEnumerable().Single();

        Assert.Equal("wal", journal);
        Assert.Equal(1, foreignKeys);
    }

    public void Dispose() => _database.Dispose();
}
