using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;

namespace MultiLine.Core.Invitations.Outbox;

public enum DeliveryOutcome
{
    Sent,

    /// <summary>The server refused this message for good (5xx): do not retry.</summary>
    Refused,

    /// <summary>This message hit a temporary refusal (4xx): try it again later.</summary>
    Deferred,

    /// <summary>The server could not be reached or the connection broke: the whole run stops and retries later.</summary>
    Unreachable,
}

public sealed record DeliveryResult(DeliveryOutcome Outcome, string? Error = null, string? PickupFile = null)
{
    public static readonly DeliveryResult Sent = new(DeliveryOutcome.Sent);
}

/// <summary>Delivers a share of one run's messages; SMTP keeps one connection open for all of them.</summary>
public interface IEmailTransport : IAsyncDisposable
{
    Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken cancellationToken);
}

/// <summary>Chooses SMTP, or the pickup folder when no host is configured.</summary>
public sealed class EmailTransportFactory(IOptions<SmtpOptions> options, OutboxLocation location, TimeProvider clock)
{
    public IEmailTransport Create() => options.Value.UsesPickupFolder
        ? new PickupFolderTransport(location.PickupFolder, clock)
        : new SmtpEmailTransport(options.Value);

    /// <summary>How many transports a run may use at once: <see cref="SmtpOptions.Connections"/>; one for the pickup folder.</summary>
    public int Connections => options.Value.UsesPickupFolder ? 1 : options.Value.Connections;

    public string Describe() => options.Value.UsesPickupFolder
        ? $"No mail server is configured: emails are saved as .eml files in {location.PickupFolder}."
        : $"Emails are sent through {options.Value.Host}:{options.Value.Port} ({options.Value.TlsMode}).";
}

/// <summary>Writes each message as an .eml file: the embedded default, so the portal runs without a mail server.</summary>
public sealed class PickupFolderTransport(string folder, TimeProvider clock) : IEmailTransport
{
    public async Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var name = $"{clock.GetUtcNow():yyyyMMdd-HHmmss}-{Guid.NewGuid():N}.eml";
        await message.WriteToAsync(Path.Combine(folder, name), cancellationToken);
        return new DeliveryResult(DeliveryOutcome.Sent, PickupFile: name);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// MailKit over one connection for its share of a run's messages (one instance per connection, never used by two
/// threads at once). Connection failures and 421 are retried with exponential backoff (Polly), reconnecting first, and
/// are Unreachable when the retries run out; another 4xx reply to the message is returned as Deferred at once, a 5xx
/// reply as Refused, both with the server's words.
/// </summary>
public sealed class SmtpEmailTransport : IEmailTransport
{
    private readonly SmtpOptions _options;
    private readonly ResiliencePipeline _retry;
    private SmtpClient? _client;

    public SmtpEmailTransport(SmtpOptions options)
    {
        _options = options;
        _retry = options.RetryAttempts == 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e)),
                MaxRetryAttempts = options.RetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = async _ => await ResetAsync(),
            }).Build();
    }

    public async Task<DeliveryResult> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            await _retry.ExecuteAsync(async token =>
            {
                var client = await ConnectedAsync(token);
                await client.SendAsync(message, token);
            }, cancellationToken);
            return DeliveryResult.Sent;
        }
        catch (SmtpCommandException e) when (e.StatusCode == SmtpStatusCode.ServiceNotAvailable)
        {
            // 421 after the retries: the server will not talk to this connection (busy, or over its connection limit).
            await ResetAsync();
            return new DeliveryResult(DeliveryOutcome.Unreachable, $"The mail server {_options.Host}:{_options.Port} is not available: 421 {e.Message}");
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            return new DeliveryResult(DeliveryOutcome.Refused, $"The mail server refused it: {(int)e.StatusCode} {e.Message}");
        }
        catch (SmtpCommandException e)
        {
            return new DeliveryResult(DeliveryOutcome.Deferred, $"The mail server deferred it: {(int)e.StatusCode} {e.Message}");
        }
        catch (AuthenticationException e)
        {
            await ResetAsync();
            return new DeliveryResult(DeliveryOutcome.Unreachable, $"The mail server did not accept the configured user name and password: {e.Message}");
        }
        catch (Exception e) when (IsTransient(e) || e is SslHandshakeException)
        {
            await ResetAsync();
            return new DeliveryResult(DeliveryOutcome.Unreachable, $"Could not reach the mail server {_options.Host}:{_options.Port}: {e.Message}");
        }
    }

    private async Task<SmtpClient> ConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client is { IsConnected: true })
            return _client;
        _client?.Dispose();
        _client = new SmtpClient { Timeout = _options.TimeoutMilliseconds };
        await _client.ConnectAsync(_options.Host!, _options.Port, _options.TlsMode switch
        {
            SmtpTlsMode.None => SecureSocketOptions.None,
            SmtpTlsMode.StartTls => SecureSocketOptions.StartTls,
            SmtpTlsMode.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        }, cancellationToken);
        if (!string.IsNullOrEmpty(_options.User))
            await _client.AuthenticateAsync(_options.User, _options.Password ?? "", cancellationToken);
        return _client;
    }

    // A 4xx reply to one message (a greylisted recipient, a full mailbox) belongs to that message: it goes back to the
    // queue with its own next attempt at once instead of holding up the run. Only 421 is about the connection.
    private static bool IsTransient(Exception e) => e switch
    {
        SmtpCommandException command => command.StatusCode == SmtpStatusCode.ServiceNotAvailable,
        SmtpProtocolException or ServiceNotConnectedException or SocketException or IOException or TimeoutException => true,
        _ => false,
    };

    private async ValueTask ResetAsync()
    {
        if (_client is null)
            return;
        try
        {
            if (_client.IsConnected)
                await _client.DisconnectAsync(false);
        }
        catch (Exception e) when (IsTransient(e) || e is OperationCanceledException) { }
        _client.Dispose();
        _client = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is { IsConnected: true })
        {
            try { await _client.DisconnectAsync(true); }
            catch (Exception e) when (IsTransient(e)) { }
        }
        _client?.Dispose();
    }
}
