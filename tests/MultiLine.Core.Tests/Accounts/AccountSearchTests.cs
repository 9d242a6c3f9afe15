using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Common;
using MultiLine.Core.Demo;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Tests.Accounts;

/// <summary>
/// The Accounts search on the run's engine: text of three characters or more goes through the engine's trigram index,
/// shorter text through LIKE; both must find every match and nothing outside the admin's scope. Every test runs twice:
/// with the accounts already in the search index, and before the index has caught up with them (on SQLite new accounts
/// reach the FTS5 table in bulk, later: the search must find them all the same).
/// </summary>
public sealed class AccountSearchIndexedTests() : AccountSearchTests(indexed: true);

/// <inheritdoc cref="AccountSearchIndexedTests"/>
public sealed class AccountSearchBeforeIndexingTests() : AccountSearchTests(indexed: false);

public abstract class AccountSearchTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly Organization _acme;
    private readonly Organization _support;
    private readonly Organization _other;

    protected AccountSearchTests(bool indexed)
    {
        using var db = _database.CreateDbContext();
        _acme = new Organization { Name = "Acme" };
        _other = new Organization { Name = "Other tenant" };
        db.Organizations.AddRange(_acme, _other);
        db.SaveChanges();
        _support = new Organization { Name = "Acme Support", Parent = _acme };
        db.Organizations.Add(_support);
        db.SaveChanges();
        foreach (var organization in new[] { _acme, _other, _support })
            organization.Path = Organization.PathFor(organization.Parent, organization.Id);
        db.PermissionGroups.AddRange(
            new PermissionGroup { Organization = _acme, Name = "Standard", IsDefault = true },
            new PermissionGroup { Organization = _other, Name = "Standard", IsDefault = true });
        db.SaveChanges();

        Add(_support, "Anna", "Müller", "anna.mueller@support.example", "+16175550123");
        Add(_support, "BERND", "Müller", "bernd@support.example");
        Add(_support, "Carla", "Muller", "carla@support.example");
        Add(_support, null, "Özdemir", "+447700900555");
        Add(_acme, "Dora", "Müller", "dora@acme.example");
        Add(_other, "Eva", "Müller", "eva.mueller@other.example", "+13055550123");
        Add(_other, "Anna", "Müller", "anna.mueller@other.example");
        if (indexed)
            IndexNewAccounts(_database);
    }

    /// <summary>What the hosted catch-up does, all at once; returns how many accounts were indexed.</summary>
    private static int IndexNewAccounts(TestDatabase database, int maxRows = int.MaxValue)
    {
        using var db = database.CreateDbContext();
        return database.Engine.DatabaseEngine.IndexNewAccountsAsync(db, maxRows).GetAwaiter().GetResult();
    }

    private int Add(Organization organization, string? first, string last, string username, string? number = null)
    {
        using var db = _database.CreateDbContext();
        var group = db.PermissionGroups.First(g => g.OrganizationId == (organization == _other ? _other.Id : _acme.Id));
        var account = new Account
        {
            FirstName = first, LastName = last, Username = username, NormalizedUsername = username.ToLowerInvariant(),
            OrganizationId = organization.Id, PermissionGroupId = group.Id, CreatedAtUtc = DateTime.UtcNow,
        };
        db.Accounts.Add(account);
        db.SaveChanges();
        if (number is not null)
        {
            db.Numbers.Add(new MultiLineNumber { E164 = number, OrganizationId = organization.Id, State = NumberState.Assigned, AccountId = account.Id });
            db.SaveChanges();
        }
        return account.Id;
    }

    private MultiLineDbContext SuperAdmin() => new MultiLineDbContext(_database.Options).WithScope(new AdminScope(1, null, Privileges.All));

    private MultiLineDbContext SupportAdmin() => new MultiLineDbContext(_database.Options).WithScope(new AdminScope(2, _support.Path, Privileges.All));

    private static async Task<string[]> UsernamesFoundAsync(MultiLineDbContext db, string text)
    {
        var page = await AccountDirectory.SearchAsync(db, new AccountSearch(text), new PageRequest(0, 100), TestContext.Current.CancellationToken);
        Assert.Equal(page.Items.Count, page.TotalCount);
        return [.. page.Items.Select(a => a.Username).Order(StringComparer.Ordinal)];
    }

    [Theory]
    [InlineData("müller")]
    [InlineData("Müller")]
    [InlineData("MÜLLER")]
    [InlineData("mü")]
    public async Task SearchFindsANameWhateverTheCaseOfTheText(string text)
    {
        await using var db = SuperAdmin();

        Assert.Equal(
            ["anna.mueller@other.example", "anna.mueller@support.example", "bernd@support.example", "dora@acme.example", "eva.mueller@other.example"],
            await UsernamesFoundAsync(db, text));
    }

    [Fact]
    public async Task SearchFindsTheFirstAndLastNameTogetherWhateverTheirStoredCase()
    {
        await using var db = SuperAdmin();

        Assert.Equal(["bernd@support.example"], await UsernamesFoundAsync(db, "bernd mü"));
        Assert.Equal(["carla@support.example"], await UsernamesFoundAsync(db, "CARLA MULLER"));
        // A missing first name leaves the space in front of the last name, as the table's name column does.
        Assert.Equal(["+447700900555"], await UsernamesFoundAsync(db, "özdemir"));
    }

    [Fact]
    public async Task DiacriticsCountSoMullerAndMüllerAreDifferentNames()
    {
        await using var db = SuperAdmin();

        Assert.Equal(["carla@support.example"], await UsernamesFoundAsync(db, "muller"));
        Assert.DoesNotContain("carla@support.example", await UsernamesFoundAsync(db, "müller"));
    }

    [Fact]
    public async Task SearchFindsUsernamesAndTheDigitsOfTheNumberAnAccountHolds()
    {
        await using var db = SuperAdmin();

        Assert.Equal(["anna.mueller@other.example", "anna.mueller@support.example", "eva.mueller@other.example"], await UsernamesFoundAsync(db, "MUELLER@"));
        Assert.Equal(["anna.mueller@support.example", "eva.mueller@other.example"], await UsernamesFoundAsync(db, "555-0123"));
        Assert.Equal(["anna.mueller@support.example"], await UsernamesFoundAsync(db, "(617) 555"));
        Assert.Equal(["+447700900555"], await UsernamesFoundAsync(db, "+44770"));
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("%ll%")]
    [InlineData("a_n")]
    [InlineData("\"")]
    [InlineData("\"müller\" OR anna")]
    [InlineData("mü*")]
    public async Task WildcardsAndQuerySyntaxAreLiteralText(string text)
    {
        await using var db = SuperAdmin();

        Assert.Empty(await UsernamesFoundAsync(db, text));
    }

    [Theory]
    [InlineData("müller")]
    [InlineData("mü")]
    [InlineData("anna")]
    [InlineData("mueller")]
    [InlineData("555 0123")]
    public async Task AScopedAdminFindsOnlyTheAccountsOfTheirSubtree(string text)
    {
        await using var db = SupportAdmin();

        var found = await UsernamesFoundAsync(db, text);

        Assert.NotEmpty(found);
        Assert.All(found, username => Assert.EndsWith("support.example", username));
    }

    private static async Task<string[]> UsernamesInAsync(MultiLineDbContext db, Organization organization, bool includeSubOrganizations)
    {
        var search = new AccountSearch(OrganizationId: organization.Id, IncludeSubOrganizations: includeSubOrganizations);
        var page = await AccountDirectory.SearchAsync(db, search, new PageRequest(0, 100), TestContext.Current.CancellationToken);
        Assert.Equal(page.Items.Count, page.TotalCount);
        return [.. page.Items.Select(a => a.Username).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task TheOrganizationFilterTakesTheSubOrganizationsOnlyWhenAskedTo()
    {
        await using var db = SuperAdmin();

        Assert.Equal(["dora@acme.example"], await UsernamesInAsync(db, _acme, includeSubOrganizations: false));
        Assert.Equal(
            ["+447700900555", "anna.mueller@support.example", "bernd@support.example", "carla@support.example", "dora@acme.example"],
            await UsernamesInAsync(db, _acme, includeSubOrganizations: true));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AScopedAdminFilteringOnAnOrganizationOutsideTheirScopeFindsNothing(bool includeSubOrganizations)
    {
        await using var db = SupportAdmin();

        // The parent of their own organization: its subtree holds their accounts, but the filter never widens the scope.
        Assert.Empty(await UsernamesInAsync(db, _acme, includeSubOrganizations));
        Assert.Empty(await UsernamesInAsync(db, _other, includeSubOrganizations));
        Assert.Equal(4, (await UsernamesInAsync(db, _support, includeSubOrganizations)).Length);
    }

    [Fact]
    public async Task AccountsSortByPermissionGroupThenById()
    {
        await using (var setup = _database.CreateDbContext())
        {
            setup.PermissionGroups.Add(new PermissionGroup { OrganizationId = _acme.Id, Name = "Admins" });
            await setup.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        var zoeId = Add(_support, "Zoe", "Admin", "zoe@support.example");
        await using (var setup = _database.CreateDbContext())
        {
            var zoe = await setup.Accounts.SingleAsync(a => a.Id == zoeId, TestContext.Current.CancellationToken);
            zoe.PermissionGroupId = (await setup.PermissionGroups.SingleAsync(g => g.Name == "Admins", TestContext.Current.CancellationToken)).Id;
            await setup.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        await using var db = SupportAdmin();

        var ascending = await AccountDirectory.SearchAsync(db, new AccountSearch(), new PageRequest(0, 100, "PermissionGroup", false), TestContext.Current.CancellationToken);
        var descending = await AccountDirectory.SearchAsync(db, new AccountSearch(), new PageRequest(0, 100, "PermissionGroup", true), TestContext.Current.CancellationToken);

        Assert.Equal(["Admins", "Standard", "Standard", "Standard", "Standard"], ascending.Items.Select(a => a.PermissionGroup));
        Assert.Equal("zoe@support.example", descending.Items[^1].Username);
        // Ties keep the id order, whichever the direction.
        var standard = descending.Items.Take(4).Select(a => a.Id).ToList();
        Assert.Equal(standard.Order(), standard);
    }

    [Fact]
    public async Task ASearchFollowsRenamesAndDeletions()
    {
        await using (var db = _database.CreateDbContext())
        {
            var bernd = await db.Accounts.SingleAsync(a => a.NormalizedUsername == "bernd@support.example", TestContext.Current.CancellationToken);
            bernd.LastName = "Schmidt";
            db.Accounts.Remove(await db.Accounts.SingleAsync(a => a.NormalizedUsername == "dora@acme.example", TestContext.Current.CancellationToken));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        await using var admin = SuperAdmin();

        Assert.Equal(["anna.mueller@other.example", "anna.mueller@support.example", "eva.mueller@other.example"], await UsernamesFoundAsync(admin, "müller"));
        Assert.Equal(["bernd@support.example"], await UsernamesFoundAsync(admin, "schmidt"));
    }

    [Fact]
    public async Task ASubOrganizationCreatedInAScopedOperationIsInItsScopeAtOnce()
    {
        await using var db = SupportAdmin();
        var team = new Organization { Name = "Support Team", ParentId = _support.Id };
        db.Organizations.Add(team);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        team.Path = Organization.PathFor(_support, team.Id);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);

        Add(team, "Frida", "Müller", "frida@support.example");

        Assert.Contains("frida@support.example", await UsernamesFoundAsync(db, "müller"));
        await using var other = new MultiLineDbContext(_database.Options).WithScope(new AdminScope(3, _other.Path, Privileges.All));
        Assert.DoesNotContain("frida@support.example", await UsernamesFoundAsync(other, "müller"));
    }

    [Fact]
    public async Task ADemoTenantWrittenByTheEngineBulkWriterIsSearchedAsTheTextSays()
    {
        using var fresh = new TestDatabase();
        var seeder = new DemoDataSeeder(fresh.System, new PasswordHasher<Admin>(), fresh.Engine.DatabaseEngine);
        await seeder.SeedIfEmptyAsync(new DemoOptions { Accounts = 400 }, TestContext.Current.CancellationToken);
        // The seeded accounts are searched before the index has caught up, half-way, and after.
        foreach (var indexNext in new[] { 0, 150, int.MaxValue })
        {
            IndexNewAccounts(fresh, indexNext);
            await SearchesMatchTheirMeaningAsync(fresh);
        }
    }

    private static async Task SearchesMatchTheirMeaningAsync(TestDatabase fresh)
    {
        await using var db = new MultiLineDbContext(fresh.Options).WithScope(new AdminScope(1, null, Privileges.All));
        var everyone = await db.Accounts
            .Select(a => new { a.Username, a.NormalizedUsername, Name = (a.FirstName ?? "") + " " + (a.LastName ?? ""), Number = a.Number != null ? a.Number.E164 : null })
            .ToListAsync(TestContext.Current.CancellationToken);

        foreach (var text in new[] { "müller", "MÜLLER", "Chloé", "núñez", "ia r", "acme.example", "+44770", "212200", "1 415 2000 01", "zz" })
        {
            var lower = text.ToLowerInvariant();
            var digits = new string(text.Where(char.IsDigit).ToArray());
            var expected = everyone
                .Where(a => a.NormalizedUsername.Contains(lower, StringComparison.Ordinal)
                    || a.Name.ToLowerInvariant().Contains(lower, StringComparison.Ordinal)
                    || (digits.Length >= 3 && a.Number is not null && a.Number.Contains(digits, StringComparison.Ordinal)))
                .Select(a => a.Username).Order(StringComparer.Ordinal).ToArray();

            var page = await AccountDirectory.SearchAsync(db, new AccountSearch(text), new PageRequest(0, PageRequest.MaxPageSize), TestContext.Current.CancellationToken);

            Assert.True(expected.SequenceEqual(page.Items.Select(a => a.Username).Order(StringComparer.Ordinal)), $"\"{text}\": expected {expected.Length} accounts, found {page.TotalCount}.");
            Assert.Equal(expected.Length, page.TotalCount);
        }
    }

    [Fact]
    public async Task TheCatchUpIndexesEachNewAccountOnceInTransactionsOfTheSizeAsked()
    {
        if (MultiLine.Tests.TestEngine.IsPostgreSql)
        {
            // PostgreSQL's trigram indexes are written with every insert: there is never anything to catch up.
            Assert.Equal(0, IndexNewAccounts(_database));
            return;
        }
        IndexNewAccounts(_database);
        Add(_support, "Gina", "Müller", "gina@support.example");
        Add(_support, "Hugo", "Müller", "hugo@support.example");
        Add(_support, "Ines", "Müller", "ines@support.example");

        Assert.Equal([2, 1, 0], new[] { IndexNewAccounts(_database, 2), IndexNewAccounts(_database, 2), IndexNewAccounts(_database, 2) });
        await using var db = _database.CreateDbContext();
        foreach (var username in new[] { "gina@support.example", "hugo@support.example", "ines@support.example" })
        {
            var inIndex = await db.Database.SqlQuery<int>($"""
                SELECT count(*) AS "Value" FROM "AccountsSearch" WHERE "AccountsSearch" MATCH {'"' + username + '"'}
                """).SingleAsync(TestContext.Current.CancellationToken);
            Assert.Equal(1, inIndex);
        }
        var mark = await db.Database.SqlQuery<long>($"""SELECT "IndexedThrough" AS "Value" FROM "SearchIndexState" """).SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(await db.Accounts.MaxAsync(a => a.Id, TestContext.Current.CancellationToken), mark);
    }

    public void Dispose() => _database.Dispose();
}
