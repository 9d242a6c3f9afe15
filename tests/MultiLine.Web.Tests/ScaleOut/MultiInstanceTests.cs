using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;
using MultiLine.Tests;
using MultiLine.Web.Extensions;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.ScaleOut;

/// <summary>
/// Two real portal processes on one PostgreSQL database and one Redis server, as a deployment of several instances
/// runs: a batch run by one instance is watched live through the other, the one running it is killed, and the other
/// finishes it with nothing done twice.
/// </summary>
[Trait("Engine", "Own")]
public sealed class MultiInstanceTests : IDisposable
{
    private const int Rows = 5_000;
    private const string Token = "multi-instance-test-token-0123456789";
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;
    private readonly string _folder = Directory.CreateTempSubdirectory("multiline-instances-").FullName;
    private readonly EngineDatabase _database;

    public MultiInstanceTests() => _database = EngineDatabase.CreateOnPostgreSql(_folder);

    [Fact]
    public async Task ABatchWatchedThroughAnotherInstanceSurvivesTheKillOfTheInstanceRunningItWithNothingDoneTwice()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "Stopping the portals uses SIGTERM.");
        var clock = Stopwatch.StartNew();
        var phases = new List<string>();
        void Phase(string name) => phases.Add($"{name} {clock.Elapsed.TotalSeconds:F1} s");
        await using var smtp = await TestSmtpServer.StartAsync();
        var a = new Instance("a", Settings("a", smtp.Port, seed: true));
        using var processA = a.Start();
        await a.WaitUntilReadyAsync(processA);
        var b = new Instance("b", Settings("b", smtp.Port, seed: false));
        using var processB = b.Start();
        await b.WaitUntilReadyAsync(processB);
        Phase("both ready");
        var (organizationId, numbers) = await AddNumbersAsync();
        // Signed in and connected to B's hub before the batch exists, so subscribing afterwards is one quick call.
        await using var watch = await Watcher.ConnectAsync(b.Address);

        // Submitted on A (Import & Invite, every row naming its number).
        using var api = new HttpClient { BaseAddress = a.Address };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var csv = new StringBuilder("firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language\r\n");
        for (var i = 0; i < Rows; i++)
            csv.Append($"Row,{i},scale{i:D4}@sales.acme.example,No,{numbers[i]},auto,on,,,English\r\n");
        var response = await api.PostAsync($"/api/v1/organizations/{organizationId}/imports?invite=true&fileName=scale.csv",
            new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"), Cancel);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
        var batchId = (await response.Content.ReadFromJsonAsync<SubmittedBatch>(Cancel))!.Id;
        Phase("submitted");

        // Watched through B with the real SignalR client: the snapshot, then every row as it happens, wherever it runs.
        await watch.SubscribeAsync(batchId);
        // A is woken in process, B over Redis a moment later: A claims the batch nearly always. Whichever does is killed.
        var runner = await ClaimantAsync(batchId);
        var (running, survivor) = runner == "instance-a" ? (processA, processB) : (processB, processA);
        await watch.WaitForRowsAsync(1_500, TimeSpan.FromSeconds(60));

        running.Kill();
        var killedAtUtc = DateTime.UtcNow;
        Phase("killed");
        var rowsBeforeKill = watch.RowEvents;
        var inFlight = await InFlightEmailsAsync(runner);

        var summary = await watch.Finished.WaitAsync(TimeSpan.FromSeconds(120), Cancel);
        Phase("finished");
        await smtp.WaitUntilAsync(received => received.Select(To).Distinct().Count() == Rows, TimeSpan.FromSeconds(120));
        Phase("every email received");
        await using var db = Open();
        var batch = await db.Batches.SingleAsync(x => x.Id == batchId, Cancel);
        var outcomes = await db.BatchRows.Where(r => r.BatchOperationId == batchId).GroupBy(r => r.Outcome).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(Cancel);
        var accounts = await db.Accounts.CountAsync(x => x.NormalizedUsername.StartsWith("scale"), Cancel);
        var held = await db.Numbers.Where(n => numbers.Contains(n.E164) && n.AccountId != null).Select(n => n.AccountId).ToListAsync(Cancel);
        var received = smtp.Messages.GroupBy(To).ToDictionary(g => g.Key, g => g.Count());
        var duplicates = received.Values.Sum() - Rows;
        var report = $"Several instances: {Rows} rows run by {runner}, killed after the watcher on the other instance saw {rowsBeforeKill} rows live; " +
            $"the other finished (watcher saw {watch.SeenRows} rows). Emails: {received.Count} recipients, {received.Values.Sum()} messages, " +
            $"{duplicates} sent twice, {inFlight} in flight at the kill. Timeline: {string.Join(", ", phases)}.";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Console.WriteLine(report);

        Assert.Equal((BatchState.Completed, Rows, 0, 0), (batch.State, batch.Succeeded, batch.Failed, batch.Skipped));
        Assert.Equal(BatchState.Completed, summary.State);
        Assert.Equal([(RowOutcome.Succeeded, Rows)], outcomes.Select(o => (o.Key, o.Count)));
        Assert.Equal(Rows, accounts);
        Assert.Equal(Rows, held.Distinct().Count());
        Assert.Equal(Rows, held.Count);
        Assert.Equal(Rows, received.Count);
        Assert.InRange(duplicates, 0, inFlight);
        // Live, row by row, through B: rows run before the kill came from the other instance over Redis, and the rest
        // from B's own worker after it took over.
        Assert.InRange(rowsBeforeKill, 1_500, Rows - 1);
        Assert.True(watch.RowEvents > rowsBeforeKill, "The watcher saw no row after the takeover.");
        // Only rows the killed instance committed can be missing: the events of its last groups died with it before
        // reaching Redis (a page reads them from the database; a hub client's next snapshot has them). Every row the
        // other instance processed after the kill reached the watcher.
        var processed = await db.BatchRows.Where(r => r.BatchOperationId == batchId).Select(r => new { r.RowNumber, r.ProcessedAtUtc }).ToListAsync(Cancel);
        var missing = processed.Where(r => !watch.Saw(r.RowNumber)).ToList();
        Assert.All(missing, r => Assert.True(r.ProcessedAtUtc <= killedAtUtc, $"Row {r.RowNumber}, processed after the kill, never reached the watcher."));
        Assert.InRange(missing.Count, 0, rowsBeforeKill);
        await survivor.StopAsync(TimeSpan.FromSeconds(30));
    }

    private Dictionary<string, string> Settings(string name, int smtpPort, bool seed)
    {
        var settings = new Dictionary<string, string>(_database.Settings!)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{TestSmtpServer.FreePort()}",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Redis:ConnectionString"] = TestEngine.Redis,
            ["Node:Role"] = "All",
            ["Batches:WorkerId"] = $"instance-{name}",
            ["Batches:ClaimSeconds"] = "5",
            ["Batches:PollSeconds"] = "1",
            ["Import:MaxRows"] = Rows.ToString(),
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtpPort.ToString(),
            ["Smtp:TlsMode"] = "None",
            ["Smtp:SenderId"] = $"instance-{name}",
            ["Smtp:LeaseDuration"] = "00:00:03",
            ["Smtp:PollInterval"] = "00:00:00.200",
            ["Invitations:PublicBaseUrl"] = "https://portal.test/",
            ["Demo:Seed"] = seed ? "true" : "false",
            ["Demo:Accounts"] = "60",
            ["Demo:AdminEmail"] = PortalFactory.AdminEmail,
            ["Demo:AdminPassword"] = PortalFactory.Password,
            ["Demo:ApiToken"] = Token,
        };
        return settings;
    }

    /// <summary>Acme Sales gets one Available number per row.</summary>
    private async Task<(int OrganizationId, List<string> Numbers)> AddNumbersAsync()
    {
        await using var db = Open();
        var sales = await db.Organizations.SingleAsync(o => o.Name == "Acme Sales", Cancel);
        var numbers = Enumerable.Range(0, Rows).Select(i => $"+1415777{i:D4}").ToList();
        db.Numbers.AddRange(numbers.Select(e164 => new MultiLineNumber { E164 = e164, OrganizationId = sales.Id, State = NumberState.Available }));
        await db.SaveChangesAsync(Cancel);
        return (sales.Id, numbers);
    }

    private async Task<string> ClaimantAsync(int batchId)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await using var db = Open();
            if (await db.Batches.Where(b => b.Id == batchId).Select(b => b.ClaimedBy).SingleAsync(Cancel) is { } claimant)
                return claimant;
            await Task.Delay(20, Cancel);
        }
        throw new TimeoutException("No instance claimed the batch.");
    }

    /// <summary>Emails the killed instance had claimed and not yet recorded: each may have reached the server already.</summary>
    private async Task<int> InFlightEmailsAsync(string instance)
    {
        await using var db = Open();
        return await db.EmailMessages.CountAsync(m => m.ClaimedBy == instance && m.State != EmailState.Sent, Cancel);
    }

    private MultiLineDbContext Open() => new MultiLineDbContext(_database.Options()).WithScope(AdminScope.System);

    private static string To(MimeMessage message) => message.To.Mailboxes.Single().Address;

    public void Dispose()
    {
        _database.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private sealed record SubmittedBatch(int Id);

    private sealed class Instance(string name, Dictionary<string, string> settings)
    {
        public Uri Address { get; } = new(settings["ASPNETCORE_URLS"] + "/");

        public PortalProcess Start() => PortalProcess.Start(settings);

        public async Task WaitUntilReadyAsync(PortalProcess process)
        {
            using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(90))
            {
                try
                {
                    if ((await client.GetAsync(HealthExtensions.ReadyPath, Cancel)).StatusCode == HttpStatusCode.OK)
                        return;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(200, Cancel);
            }
            throw new TimeoutException($"Instance {name} never became ready:\n{process.Output}");
        }
    }

    /// <summary>A SignalR client of the batch hub, signed in on one instance, counting the rows it is told about.</summary>
    private sealed class Watcher : IAsyncDisposable
    {
        private readonly HubConnection _connection;
        private readonly HashSet<int> _seen = [];
        private readonly TaskCompletionSource<BatchStateChanged> _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _events;

        private Watcher(HubConnection connection) => _connection = connection;

        public Task<BatchStateChanged> Finished => _finished.Task;
        public int RowEvents => Volatile.Read(ref _events);
        public int SeenRows { get { lock (_seen) return _seen.Count; } }
        public bool Saw(int rowNumber) { lock (_seen) return _seen.Contains(rowNumber); }

        public static async Task<Watcher> ConnectAsync(Uri address)
        {
            var cookies = new CookieContainer();
            using (var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = address })
                await PortalClient.SignInAsync(client, PortalFactory.AdminEmail);
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(address, "hubs/batches"), options => options.Cookies = cookies)
                .AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
                .Build();
            var watcher = new Watcher(connection);
            connection.On<RowProcessed>("RowProcessed", row =>
            {
                Interlocked.Increment(ref watcher._events);
                lock (watcher._seen)
                    watcher._seen.Add(row.RowNumber);
            });
            connection.On<BatchStateChanged>("BatchStateChanged", state =>
            {
                if (BatchStates.IsFinished(state.State))
                    watcher._finished.TrySetResult(state);
            });
            await connection.StartAsync(Cancel);
            return watcher;
        }

        public async Task SubscribeAsync(int batchId)
        {
            var snapshot = await _connection.InvokeAsync<BatchSnapshot>("Subscribe", batchId, Cancel);
            lock (_seen)
                foreach (var row in snapshot.RecentRows)
                    _seen.Add(row.RowNumber);
        }

        public async Task WaitForRowsAsync(int rows, TimeSpan timeout)
        {
            var waited = Stopwatch.StartNew();
            while (RowEvents < rows)
            {
                if (waited.Elapsed > timeout)
                    throw new TimeoutException($"The watcher saw {RowEvents} rows in {timeout}.");
                await Task.Delay(10, Cancel);
            }
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
