using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace MultiLine.Tests;

/// <summary>
/// A real SMTP server on 127.0.0.1 (SmtpServer package) that keeps every message it accepts. Its listening socket has
/// NoDelay on (accepted sockets inherit it), or each message would stall ~45 ms on delayed ACKs. It can refuse (550)
/// or greylist (450) recipients, and tell the test about each message before it answers the sender. It counts the
/// sessions (client connections) open at once, so a test can tell whether a sender delivered over several.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private readonly ConcurrentQueue<string> _deferred = new();
    private readonly ConcurrentQueue<string> _dropped = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly HashSet<ISessionContext> _sessions = [];
    private readonly HashSet<ISessionContext> _overLimit = [];
    private int _maxSessions = int.MaxValue;
    private int _peakSessions;
    private int _refusedSessions;
    private Task _running = Task.CompletedTask;

    private TestSmtpServer() { }

    public int Port { get; private set; }
    public IReadOnlyCollection<MimeMessage> Messages => _messages;

    /// <summary>Recipients answered 450, once per attempt.</summary>
    public IReadOnlyCollection<string> Deferred => _deferred;

    /// <summary>Recipients whose connection was dropped, once per attempt.</summary>
    public IReadOnlyCollection<string> Dropped => _dropped;

    /// <summary>Sessions open now: from the client's connection (before the greeting) to its end.</summary>
    public int OpenSessions
    {
        get
        {
            lock (_sessions)
                return _sessions.Count;
        }
    }

    /// <summary>Sessions answered 421 because <c>maxSessions</c> others were open.</summary>
    public int RefusedSessions => Volatile.Read(ref _refusedSessions);

    /// <summary>The most sessions that were open at the same time since the server started.</summary>
    public int PeakSessions
    {
        get
        {
            lock (_sessions)
                return _peakSessions;
        }
    }

    /// <summary>Starts a server; <paramref name="port"/> 0 picks a free one.</summary>
    /// <param name="acceptRecipient">False refuses the recipient with 550.</param>
    /// <param name="deferRecipient">True answers the recipient 450, as a greylisting server does.</param>
    /// <param name="received">Runs for each accepted message, with the count so far, before the sender gets the 250.</param>
    /// <param name="dropRecipient">True drops the connection without a reply, as a server that breaks down on it would.</param>
    /// <param name="maxSessions">Sessions taken at once; one more is answered 421 and closed at its MAIL command.</param>
    public static async Task<TestSmtpServer> StartAsync(int port = 0, Func<string, bool>? acceptRecipient = null, Func<string, bool>? deferRecipient = null,
        Func<MimeMessage, int, Task>? received = null, Func<string, bool>? dropRecipient = null, int maxSessions = int.MaxValue)
    {
        var server = new TestSmtpServer { _maxSessions = maxSessions };
        var listeners = new NoDelayListenerFactory();
        var options = new SmtpServerOptionsBuilder()
            .ServerName("test-smtp")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(listeners);
        services.Add(new Store(server, received));
        services.Add(new RecipientFilter(server, acceptRecipient, deferRecipient, dropRecipient));
        var smtp = new SmtpServer.SmtpServer(options, services);
        smtp.SessionCreated += (_, e) => server.Opened(e.Context);
        smtp.SessionCompleted += (_, e) => server.Closed(e.Context);
        smtp.SessionFaulted += (_, e) => server.Closed(e.Context);
        smtp.SessionCancelled += (_, e) => server.Closed(e.Context);
        server._running = smtp.StartAsync(server._stop.Token);
        // A server that cannot start (its port taken, say) says why instead of timing out.
        await Task.WhenAny(listeners.Started.Task, server._running).WaitAsync(TimeSpan.FromSeconds(10));
        if (!listeners.Started.Task.IsCompleted)
            await server._running;
        server.Port = await listeners.Started.Task;
        return server;
    }

    /// <summary>A free loopback port with nothing listening on it (for "the server is down").</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Waits until the messages received so far satisfy <paramref name="condition"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyCollection<MimeMessage>, bool> condition, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (!condition(_messages))
            await _arrived.WaitAsync(deadline.Token);
    }

    /// <summary>Waits until a message matching <paramref name="match"/> has arrived.</summary>
    public async Task<MimeMessage> WaitForAsync(Func<MimeMessage, bool> match, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_messages.FirstOrDefault(match) is { } found)
                return found;
            await _arrived.WaitAsync(deadline.Token);
        }
    }

    /// <summary>Waits until <paramref name="count"/> sessions have been open at once; false if that did not happen in time.</summary>
    public async Task<bool> WaitForConcurrentSessionsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (PeakSessions < count)
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(10);
        }
        return true;
    }

    private void Opened(ISessionContext session)
    {
        lock (_sessions)
        {
            if (_sessions.Count - _overLimit.Count >= _maxSessions)
                _overLimit.Add(session);
            _sessions.Add(session);
            _peakSessions = Math.Max(_peakSessions, _sessions.Count);
        }
    }

    private bool IsOverLimit(ISessionContext session)
    {
        lock (_sessions)
            return _overLimit.Contains(session);
    }

    // Completed, faulted or cancelled; a session cancelled before it was created was never counted.
    private void Closed(ISessionContext session)
    {
        lock (_sessions)
        {
            _sessions.Remove(session);
            _overLimit.Remove(session);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private sealed class Store(TestSmtpServer server, Func<MimeMessage, int, Task>? received) : MessageStore
    {
        private int _count;

        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = MimeMessage.Load(stream, cancellationToken);
            server._messages.Enqueue(message);
            var count = Interlocked.Increment(ref _count);
            if (received is not null)
                await received(message, count);
            server._arrived.Release();
            return SmtpResponse.Ok;
        }
    }

    private sealed class RecipientFilter(TestSmtpServer server, Func<string, bool>? accept, Func<string, bool>? defer, Func<string, bool>? drop) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
        {
            if (server.IsOverLimit(context))
            {
                Interlocked.Increment(ref server._refusedSessions);
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)421, "4.7.0 Too many connections, try again later"), quit: true);
            }
            return Task.FromResult(true);
        }

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken)
        {
            var address = to.AsAddress();
            if (drop?.Invoke(address) == true)
            {
                server._dropped.Enqueue(address);
                throw new IOException("The test server drops this connection.");
            }
            if (defer?.Invoke(address) == true)
            {
                server._deferred.Enqueue(address);
                throw new SmtpResponseException(new SmtpResponse((SmtpReplyCode)450, "4.2.0 Greylisted, please try again later"));
            }
            return Task.FromResult(accept?.Invoke(address) ?? true);
        }
    }

    private sealed class NoDelayListenerFactory : EndpointListenerFactory
    {
        public TaskCompletionSource<int> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
        {
            var listener = new TcpListener(endpointDefinition.Endpoint);
            listener.Server.NoDelay = true;
            listener.Start();
            Started.TrySetResult(((IPEndPoint)listener.LocalEndpoint).Port);
            // EndpointListener's constructor is internal; it is the package's own listener around our socket.
            return (IEndpointListener)Activator.CreateInstance(typeof(EndpointListener), BindingFlags.Instance | BindingFlags.NonPublic, null, [listener, (Action)(() => { })], null)!;
        }
    }
}
