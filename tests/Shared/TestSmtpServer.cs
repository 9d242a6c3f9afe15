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
/// NoDelay on (accepted sockets inherit it), or each message would stall ~45 ms on delayed ACKs.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<MimeMessage> _messages = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private Task _running = Task.CompletedTask;

    private TestSmtpServer() { }

    public int Port { get; private set; }
    public IReadOnlyCollection<MimeMessage> Messages => _messages;

    /// <summary>Starts a server; <paramref name="port"/> 0 picks a free one. <paramref name="acceptRecipient"/> false refuses with 550.</summary>
    public static async Task<TestSmtpServer> StartAsync(int port = 0, Func<string, bool>? acceptRecipient = null)
    {
        var server = new TestSmtpServer();
        var listeners = new NoDelayListenerFactory();
        var options = new SmtpServerOptionsBuilder()
            .ServerName("test-smtp")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(listeners);
        services.Add(new Store(server));
        if (acceptRecipient is not null)
            services.Add(new DelegatingMailboxFilter((IMailbox to, IMailbox from) => acceptRecipient(to.AsAddress())));
        var smtp = new SmtpServer.SmtpServer(options, services);
        server._running = smtp.StartAsync(server._stop.Token);
        server.Port = await listeners.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _running; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private sealed class Store(TestSmtpServer server) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            server._messages.Enqueue(MimeMessage.Load(stream, cancellationToken));
            server._arrived.Release();
            return Task.FromResult(SmtpResponse.Ok);
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
