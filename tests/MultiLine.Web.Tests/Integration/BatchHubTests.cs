using System.Net;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Batches;
using MultiLine.Core.Demo;
using MultiLine.Core.Organizations;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

/// <summary>The batch hub with the real .NET SignalR client against the app on a loopback port.</summary>
public sealed class BatchHubTests : IAsyncLifetime
{
    // The worker must not find test batches on its own before the test has subscribed.
    private readonly PortalFactory _portal = new(settings: new Dictionary<string, string?> { ["Batches:PollSeconds"] = "3600" });
    private Uri _address = default!;

    public ValueTask InitializeAsync()
    {
        _address = _portal.StartOnLoopback();
        return ValueTask.CompletedTask;
    }

    private async Task<HubConnection> ConnectAsync(string email)
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = _address };
        await PortalClient.SignInAsync(client, email);
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_address, "hubs/batches"), options => options.Cookies = cookies)
            .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .Build();
        await connection.StartAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    /// <summary>A queued import of <paramref name="rows"/> new accounts, not yet handed to the worker.</summary>
    private async Task<int> AddQueuedBatchAsync(string organizationName, int rows)
    {
        await using var db = _portal.CreateDbContext();
        var organization = await db.Organizations.SingleAsync(o => o.Name == organizationName);
        var groups = await db.PermissionGroups.UsableBy(organization).ToListAsync();
        var batch = new BatchOperation
        {
            Kind = BatchKind.Import, AdminName = "Test", OrganizationId = organization.Id, PermissionGroupId = PermissionGroupInheritance.DefaultFor(organization, groups)!.Id,
            TotalRows = rows, CreatedAtUtc = DateTime.UtcNow,
        };
        batch.Rows.AddRange(Enumerable.Range(0, rows).Select(i => new BatchRow
        {
            RowNumber = i + 2, Username = $"hub{Guid.NewGuid():N}@example.com", FirstName = "Hub", LastName = $"User {i}",
        }));
        foreach (var row in batch.Rows)
            row.NormalizedUsername = row.Username;
        db.Batches.Add(batch);
        await db.SaveChangesAsync();
        return batch.Id;
    }

    private void Start(int batchId) => _portal.Services.GetRequiredService<BatchQueue>().Enqueue(batchId);

    [Fact]
    public async Task ASubscriberGetsASnapshotThenEveryRowInOrderThenTheSummary()
    {
        var batchId = await AddQueuedBatchAsync("Acme Sales", 300);
        await using var connection = await ConnectAsync(PortalFactory.AdminEmail);
        var rows = new List<RowProcessed>();
        var finished = new TaskCompletionSource<BatchStateChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.On<RowProcessed>("RowProcessed", row => { lock (rows) rows.Add(row); });
        connection.On<BatchStateChanged>("BatchStateChanged", state => { if (BatchStates.IsFinished(state.State)) finished.TrySetResult(state); });

        var snapshot = await connection.InvokeAsync<BatchSnapshot>("Subscribe", batchId, TestContext.Current.CancellationToken);
        Start(batchId);
        var summary = await finished.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(BatchState.Queued, snapshot.Batch.State);
        Assert.Empty(snapshot.RecentRows);
        Assert.Equal(Enumerable.Range(2, 300), rows.Select(r => r.RowNumber));
        Assert.Equal(Enumerable.Range(1, 300), rows.Select(r => r.Counts.Processed));
        Assert.All(rows, r => Assert.Equal(RowOutcome.Succeeded, r.Outcome));
        Assert.Equal((BatchState.Completed, 300, 300), (summary.State, summary.Counts.Total, summary.Counts.Succeeded));
    }

    [Fact]
    public async Task ALateSubscriberCatchesUpFromTheSnapshot()
    {
        var batchId = await AddQueuedBatchAsync("Acme Sales", 80);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = _portal.Services.GetRequiredService<BatchProgressNotifier>().Subscribe(batchId, e =>
        {
            if (e is BatchStateChanged { State: BatchState.Completed })
                done.TrySetResult();
        });
        Start(batchId);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await using var connection = await ConnectAsync(DemoDataSeeder.ReportsAdminEmail);

        var snapshot = await connection.InvokeAsync<BatchSnapshot>("Subscribe", batchId, TestContext.Current.CancellationToken);

        Assert.Equal(BatchState.Completed, snapshot.Batch.State);
        Assert.Equal((80, 80), (snapshot.Batch.Counts.Processed, snapshot.Batch.Counts.Succeeded));
        Assert.Equal(BatchQueries.RecentRowCount, snapshot.RecentRows.Count);
    }

    [Fact]
    public async Task AnAdminCannotSubscribeToABatchOutsideTheirScope()
    {
        var batchId = await AddQueuedBatchAsync("Health Monitor", 5);
        await using var connection = await ConnectAsync(DemoDataSeeder.ScopedAdminEmail);

        var error = await Assert.ThrowsAsync<HubException>(() => connection.InvokeAsync<BatchSnapshot>("Subscribe", batchId, TestContext.Current.CancellationToken));

        Assert.Contains("That batch does not exist or is outside your scope.", error.Message);
    }

    [Fact]
    public async Task AnAnonymousClientCannotConnect()
    {
        var connection = new HubConnectionBuilder().WithUrl(new Uri(_address, "hubs/batches")).Build();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    public ValueTask DisposeAsync() => _portal.DisposeAsync();
}
