using MultiLine.Tests;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.PostgreSQL;
using MultiLine.Persistence.Sqlite;

namespace MultiLine.Core.Tests.Batches;

/// <summary>
/// A real host with the hosted batch service on a test's database: start it, stop it halfway, start another on
/// the same database, as a server restart would.
/// </summary>
internal sealed class BatchHost : IAsyncDisposable
{
    private readonly IHost _host;

    private BatchHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;
    public BatchProgressNotifier Notifier => Services.GetRequiredService<BatchProgressNotifier>();
    public ImportSubmission Submission => Services.GetRequiredService<ImportSubmission>();
    public ImportValidator Validator => Services.GetRequiredService<ImportValidator>();

    public static async Task<BatchHost> StartAsync(TestDatabase database, int rowsPerTransaction = 50, int maxConcurrentBatches = 2, int maxRows = 1000, string workerId = "test-worker",
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(database.Engine.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Batches:RowsPerTransaction"] = rowsPerTransaction.ToString(),
            ["Batches:MaxConcurrentBatches"] = maxConcurrentBatches.ToString(),
            ["Batches:PollSeconds"] = "1",
            ["Batches:WorkerId"] = workerId,
            ["Import:MaxRows"] = maxRows.ToString(),
            ["Smtp:PickupFolder"] = Path.Combine(database.Folder, "outbox"),
        });
        if (settings is not null)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMultiLineDatabase(SqliteEngine.Instance, PostgreSqlEngine.Instance);
        builder.AddMultiLineImports();
        builder.AddMultiLineBatches();
        builder.AddMultiLineInvitationServices();
        var host = builder.Build();
        await host.StartAsync();
        return new BatchHost(host);
    }

    /// <summary>Validates <paramref name="csv"/> as the admin would, then commits it.</summary>
    public async Task<int> ImportAsync(string csv, ImportTarget target, bool invite = false, bool onlyValidRows = true) =>
        await SubmitAsync(await CheckAsync(csv, target), target, invite, onlyValidRows);

    /// <summary>The preview's check of <paramref name="csv"/>, as the admin's upload runs it.</summary>
    public Task<ImportValidationResult> CheckAsync(string csv, ImportTarget target) =>
        Validator.ValidateAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(csv)), target, TestContext.Current.CancellationToken);

    /// <summary>Commits a file checked earlier (the database may have changed since, as between a preview and Import).</summary>
    public async Task<int> SubmitAsync(ImportValidationResult validation, ImportTarget target, bool invite = false, bool onlyValidRows = true)
    {
        var result = await Submission.SubmitAsync(new ImportRequest(validation, target, "accounts.csv", invite, onlyValidRows, TestActors.Admin), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Error);
        return result.BatchId!.Value;
    }

    /// <summary>Completes when the batch reaches a final state (checked against the database, so no event can be missed).</summary>
    public async Task<BatchOperation> WaitUntilFinishedAsync(int batchId, TimeSpan? timeout = null)
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = Notifier.Subscribe(batchId, e =>
        {
            if (e is BatchStateChanged { State: var state } && BatchStates.IsFinished(state))
                finished.TrySetResult();
        });
        if (await LoadAsync(batchId) is { IsFinished: true } done)
            return done;
        await finished.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        return await LoadAsync(batchId);
    }

    public async Task<BatchOperation> LoadAsync(int batchId)
    {
        await using var db = await Services.GetRequiredService<SystemDbContextFactory>().CreateAsync();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Batches, b => b.Id == batchId);
    }

    public Task StopAsync() => _host.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
