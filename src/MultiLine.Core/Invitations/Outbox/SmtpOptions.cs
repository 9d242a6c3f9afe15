using System.ComponentModel.DataAnnotations;

namespace MultiLine.Core.Invitations.Outbox;

/// <summary>Settings of the "Smtp" section. Without a <see cref="Host"/>, emails are written to the pickup folder.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    /// <summary>The mail server. Empty: no server, emails are saved as .eml files in <see cref="PickupFolder"/>.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    public SmtpTlsMode TlsMode { get; set; } = SmtpTlsMode.Auto;
    public string? User { get; set; }
    public string? Password { get; set; }

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "no-reply@multiline.example";

    [Required]
    public string FromName { get; set; } = "MultiLine";

    /// <summary>Folder for .eml files when no host is set. Empty: "outbox" next to the database file.</summary>
    public string? PickupFolder { get; set; }

    /// <summary>
    /// Retries within one delivery run when the connection fails (refused, lost, timed out, 421), with exponential
    /// backoff. A 4xx reply to one message (greylisting) is not retried here: that message gets its own next attempt.
    /// </summary>
    [Range(0, 10)]
    public int RetryAttempts { get; set; } = 3;

    /// <summary>First retry delay within a run; doubles on each retry, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Delivery runs before a message that keeps failing transiently is marked Failed.</summary>
    [Range(1, 100)]
    public int MaxDeliveryRuns { get; set; } = 6;

    /// <summary>Wait before the next run after a transient failure; doubles each run (at most an hour).</summary>
    public TimeSpan RequeueDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the sender looks for due messages when nobody woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Messages leased per run; they go over up to <see cref="Connections"/> SMTP connections.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// SMTP connections a run delivers over in parallel; each takes the run's next leased message until none is left.
    /// The order of arrival across connections is not guaranteed. A crash may re-send up to one message per connection
    /// (the one whose result was not saved yet). The pickup folder (no <see cref="Host"/>) always uses one writer.
    /// </summary>
    [Range(1, 32)]
    public int Connections { get; set; } = 4;

    [Range(1_000, 600_000)]
    public int TimeoutMilliseconds { get; set; } = 30_000;

    /// <summary>
    /// Names this sender in its leases on messages; must differ between running instances that share a database.
    /// The default (machine, process and a random part) is new for every start.
    /// </summary>
    [Required, MaxLength(200)]
    public string SenderId { get; set; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>
    /// How long a run's lease on its messages holds; a long run renews it at half time. When a sender dies, others take
    /// its messages after this. Keep it well above the time one message may take (timeout and retries).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    public bool UsesPickupFolder => string.IsNullOrWhiteSpace(Host);
}

public enum SmtpTlsMode { None, StartTls, SslOnConnect, Auto }

/// <summary>Where .eml files go when no SMTP host is configured (absolute path).</summary>
public sealed record OutboxLocation(string PickupFolder);
