using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;
using MultiLine.Persistence.PostgreSQL;
using MultiLine.Tests;
using MultiLine.Web.ScaleOut;

namespace MultiLine.Web.Tests.ScaleOut;

/// <summary>
/// Batch events cross instances: what instance A's worker publishes reaches the watchers on instance B, in order, once,
/// and a batch submitted on A wakes B's worker. Each transport runs against its real server.
/// </summary>
[Trait("Engine", "Own")]
public sealed class BatchEventRelayTests
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    public static TheoryData<string> Transports => ["Redis", "PostgreSQL"];

    private sealed class Instance : IAsyncDisposable
    {
        private readonly BatchEventRelay _relay;
        private readonly RedisConnection? _redis;

        public Instance(string transport, EngineDatabase? database)
        {
            if (transport == "Redis")
            {
                _redis = new RedisConnection(Options.Create(new RedisOptions { ConnectionString = TestEngine.Redis }));
                _relay = new RedisBatchEventRelay(_redis, Notifier, Queue, NullLogger<RedisBatchEventRelay>.Instance);
            }
            else
            {
                _relay = new PostgreSqlBatchEventRelay(Options.Create(new DatabaseOptions { ConnectionString = database!.ConnectionString }),
                    Notifier, Queue, NullLogger<PostgreSqlBatchEventRelay>.Instance);
            }
        }

        public BatchProgressNotifier Notifier { get; } = new();
        public BatchQueue Queue { get; } = new();

        public Task StartAsync() => _relay.StartAsync(Cancel);

        public async ValueTask DisposeAsync()
        {
            await _relay.StopAsync(CancellationToken.None);
            _relay.Dispose();
            if (_redis is not null)
                await _redis.DisposeAsync();
        }
    }

    private static async Task<(Instance A, Instance B, EngineDatabase? Database)> StartTwoAsync(string transport, string folder)
    {
        var database = transport == "PostgreSQL" ? EngineDatabase.CreateOnPostgreSql(folder) : null;
        var a = new Instance(transport, database);
        var b = new Instance(transport, database);
        await a.StartAsync();
        await b.StartAsync();
        return (a, b, database);
    }

    /// <summary>Publishes a probe on A until B hears one: subscriptions on a server take a moment to be in place.</summary>
    private static async Task WaitUntilConnectedAsync(Instance a, Instance b)
    {
        var heard = new TaskCompletionSource();
        using var probe = b.Notifier.Subscribe(-1, _ => heard.TrySetResult());
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!heard.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            a.Notifier.Publish(new BatchStateChanged(-1, BatchState.Running, new BatchCounts(0, 0, 0, 0), null, null, null));
            await Task.WhenAny(heard.Task, Task.Delay(100, Cancel));
        }
        Assert.True(heard.Task.IsCompleted, "The second instance never heard the first.");
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task EveryEventOfABatchRunOnOneInstanceReachesTheOtherInOrderAndOnce(string transport)
    {
        var folder = Directory.CreateTempSubdirectory("multiline-relay-").FullName;
        var (a, b, database) = await StartTwoAsync(transport, folder);
        await using (a)
        await using (b)
        using (database)
        {
            await WaitUntilConnectedAsync(a, b);
            var onB = new ConcurrentQueue<BatchEvent>();
            var onA = new ConcurrentQueue<BatchEvent>();
            var finished = new TaskCompletionSource();
            using var watchB = b.Notifier.Subscribe(7, e =>
            {
                onB.Enqueue(e);
                if (e is BatchStateChanged { State: BatchState.Completed })
                    finished.TrySetResult();
            });
            using var watchA = a.Notifier.Subscribe(7, onA.Enqueue);

            a.Notifier.Publish(new BatchStateChanged(7, BatchState.Running, new BatchCounts(500, 0, 0, 0), null, DateTime.UtcNow, null));
            for (var row = 1; row <= 500; row++)
                a.Notifier.Publish(new RowProcessed(7, row, RowOutcome.Succeeded, null, $"user{row}@acme.example", "+14155550100", new BatchCounts(500, row, 0, 0)));
            a.Notifier.Publish(new BatchStateChanged(7, BatchState.Completed, new BatchCounts(500, 500, 0, 0), null, DateTime.UtcNow, DateTime.UtcNow));
            await finished.Task.WaitAsync(TimeSpan.FromSeconds(30), Cancel);

            var rows = onB.OfType<RowProcessed>().ToList();
            Assert.Equal(Enumerable.Range(1, 500), rows.Select(r => r.RowNumber));
            Assert.Equal(("user250@acme.example", RowOutcome.Succeeded, 250), (rows[249].Username, rows[249].Outcome, rows[249].Counts.Succeeded));
            Assert.Equal(502, onB.Count);
            // A's own watchers saw each event once: nothing came back to them through the server.
            await Task.Delay(300, Cancel);
            Assert.Equal(502, onA.Count);
        }
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task ABatchSubmittedOnOneInstanceWakesTheWorkerOfTheOther(string transport)
    {
        var folder = Directory.CreateTempSubdirectory("multiline-relay-").FullName;
        var (a, b, database) = await StartTwoAsync(transport, folder);
        await using (a)
        await using (b)
        using (database)
        {
            await WaitUntilConnectedAsync(a, b);

            a.Queue.Enqueue(42);

            // B's queue may also hold its own wakes (a poll, a probe of the connection): 42 must arrive among them.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
            deadline.CancelAfter(TimeSpan.FromSeconds(10));
            var woken = await b.Queue.ReadAllAsync(deadline.Token).FirstOrDefaultAsync(id => id == 42, deadline.Token);
            Assert.Equal(42, woken);
        }
        Directory.Delete(folder, recursive: true);
    }
}
