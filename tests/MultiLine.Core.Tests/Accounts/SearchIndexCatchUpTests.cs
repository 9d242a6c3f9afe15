using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Tests.Accounts;

/// <summary>
/// The hosted catch-up of SQLite's accounts search index: it indexes new accounts between batches, waits while a
/// batch's rows are being processed, and does not wait longer than its setting says.
/// </summary>
[Trait("Engine", "Sqlite")] // PostgreSQL's trigram indexes are written with every insert; there is nothing to catch up.
public sealed class SearchIndexCatchUpTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly FakeTimeProvider _clock = new();
    private readonly BatchProgressNotifier _notifier = new();
    private CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task AddAccountsAsync(int count)
    {
        await using var db = _database.CreateDbContext();
        var organization = new Organization { Name = "Acme" };
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(Token);
        organization.Path = Organization.PathFor(null, organization.Id);
        var group = new PermissionGroup { Name = "Standard", OrganizationId = organization.Id };
        db.PermissionGroups.Add(group);
        await db.SaveChangesAsync(Token);
        db.Accounts.AddRange(Enumerable.Range(1, count).Select(n => new Account
        {
            FirstName = "Jürgen", LastName = $"Müller {n}", Username = $"user{n}@acme.example", NormalizedUsername = $"user{n}@acme.example",
            OrganizationId = organization.Id, PermissionGroupId = group.Id, CreatedAtUtc = DateTime.UtcNow,
        }));
        await db.SaveChangesAsync(Token);
    }

    private async Task<long> MarkAsync()
    {
        await using var db = _database.CreateDbContext();
        return await db.Database.SqlQuery<long>($"""SELECT "IndexedThrough" AS "Value" FROM "SearchIndexState" """).SingleAsync(Token);
    }

    private SearchIndexCatchUp Start(int maxWaitSeconds = 30)
    {
        var service = new SearchIndexCatchUp(_database.System, _notifier,
            Options.Create(new SearchIndexOptions { IntervalMilliseconds = 1000, RowsPerTransaction = 2, MaxWaitSeconds = maxWaitSeconds }),
            _clock, NullLogger<SearchIndexCatchUp>.Instance);
        service.StartAsync(Token).GetAwaiter().GetResult();
        return service;
    }

    private void RowProcessed() => _notifier.Publish(new RowProcessed(1, 1, RowOutcome.Succeeded, null, "user@acme.example", null, new BatchCounts(1, 1, 0, 0)));

    /// <summary>Waits (in real time) for the service to reach the mark; fails after 30 s.</summary>
    private async Task MarkReachesAsync(long expected)
    {
        for (var attempt = 0; attempt < 300 && await MarkAsync() != expected; attempt++)
            await Task.Delay(100, Token);
        Assert.Equal(expected, await MarkAsync());
    }

    [Fact]
    public async Task NewAccountsAreIndexedAtTheNextTickInAsManyTransactionsAsTheyNeed()
    {
        await AddAccountsAsync(5);
        using var service = Start();
        _clock.Advance(TimeSpan.FromSeconds(1));

        // Five accounts, two per transaction: the tick goes on until none is left.
        await MarkReachesAsync(5);
        await service.StopAsync(Token);
    }

    [Fact]
    public async Task WhileABatchProcessesRowsTheCatchUpWaitsAndThenCatchesUp()
    {
        using var service = Start();
        RowProcessed();
        await AddAccountsAsync(3);
        for (var second = 0; second < 10; second++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            RowProcessed();
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            RowProcessed();
            await Task.Delay(20, Token);
        }
        Assert.Equal(0, await MarkAsync());

        // The batch has finished: a quiet interval later, everything is indexed.
        _clock.Advance(TimeSpan.FromSeconds(2));
        await MarkReachesAsync(3);
        await service.StopAsync(Token);
    }

    [Fact]
    public async Task ABatchThatKeepsGoingDelaysTheCatchUpNoLongerThanTheSettingButOneTransactionAtATime()
    {
        using var service = Start(maxWaitSeconds: 5);
        RowProcessed();
        await AddAccountsAsync(3);
        for (var second = 0; second < 6; second++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            RowProcessed();
            _clock.Advance(TimeSpan.FromMilliseconds(500));
            RowProcessed();
            await Task.Delay(20, Token);
        }

        // One transaction's worth (two accounts) while the batch still runs.
        await MarkReachesAsync(2);
        await service.StopAsync(Token);
    }

    public void Dispose() => _database.Dispose();
}
