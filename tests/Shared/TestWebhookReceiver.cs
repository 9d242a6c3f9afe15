using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using MultiLine.Core.Webhooks;

namespace MultiLine.Tests;

/// <summary>One request the receiver got: its signature headers and the raw body.</summary>
public sealed record ReceivedWebhook(string? Signature, string? Event, string? Delivery, string Body, DateTimeOffset At);

/// <summary>
/// A real HTTPS server on 127.0.0.1 (Kestrel, a free port) with a self-signed certificate made for the test, recording
/// every webhook it receives. <see cref="Answer"/> chooses the status code of the n-th request (1-based). The portal
/// trusts the certificate through <see cref="TrustIn"/>, which only adds a certificate check to the production handler.
/// </summary>
public sealed class TestWebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private int _count;
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestWebhookReceiver(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The address to register, e.g. https://127.0.0.1:54321/hooks/multiline.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The status code for the n-th request (1-based); 200 unless set. A 3xx answer sends the client back to <see cref="Url"/>.</summary>
    public Func<int, int> Answer { get; set; } = _ => 200;

    /// <summary>How long the receiver waits before it answers (a slow endpoint), unless the client gives up first.</summary>
    public TimeSpan Delay { get; set; }

    public IReadOnlyList<ReceivedWebhook> Received => [.. _received];

    public static async Task<TestWebhookReceiver> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var receiver = new TestWebhookReceiver(app, certificate);
        app.MapPost("/hooks/multiline", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            var n = Interlocked.Increment(ref receiver._count);
            receiver._received.Enqueue(new ReceivedWebhook(http.Request.Headers[WebhookSignature.Header], http.Request.Headers[WebhookSignature.EventHeader],
                http.Request.Headers[WebhookSignature.DeliveryHeader], body, DateTimeOffset.UtcNow));
            Interlocked.Exchange(ref receiver._arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            if (receiver.Delay > TimeSpan.Zero)
                await Task.Delay(receiver.Delay, http.RequestAborted);
            var code = receiver.Answer(n);
            // A redirect points back here, so a client that followed it would be seen arriving again.
            if (code is >= 300 and < 400)
                http.Response.Headers.Location = receiver.Url;
            return Results.StatusCode(code);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = $"{address.TrimEnd('/')}/hooks/multiline";
        return receiver;
    }

    /// <summary>Completes when at least <paramref name="count"/> requests arrived.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var arrived = Volatile.Read(ref _arrived).Task;
            if (_received.Count >= count)
                return Received;
            await arrived.WaitAsync(cancel.Token);
        }
    }

    /// <summary>
    /// Lets the portal's webhook client trust this receiver's certificate: the production handler (and its address
    /// checks) stays; only its certificate validation accepts this one certificate.
    /// </summary>
    public static void TrustIn(IServiceCollection services, Func<X509Certificate2?> certificate) =>
        services.Configure<HttpClientFactoryOptions>(WebhookOptions.HttpClientName, options => options.HttpMessageHandlerBuilderActions.Add(builder =>
        {
            var handler = (SocketsHttpHandler)builder.PrimaryHandler;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None
                || (presented is not null && certificate() is { } trusted && presented.GetCertHashString() == trusted.Thumbprint);
        }));

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel on Linux needs the key in an exportable form it can load.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate.Dispose();
    }
}
