using System.ComponentModel.DataAnnotations;

namespace MultiLine.Core.Webhooks;

/// <summary><c>Webhooks</c> settings.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>The named HttpClient the sender uses (tests add their certificate trust to it, nothing else).</summary>
    public const string HttpClientName = "Webhooks";

    /// <summary>
    /// Whether endpoints may be on loopback, private, link-local or carrier-grade NAT addresses. Off in production: the
    /// portal must not become a way into the network it runs in (SSRF). Development and tests turn it on.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>How long one request may take before it counts as a failed attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the sender looks for due deliveries when nothing woke it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deliveries one run claims.</summary>
    [Range(1, 500)]
    public int BatchSize { get; set; } = 20;

    /// <summary>Requests one run sends at once.</summary>
    [Range(1, 32)]
    public int Parallelism { get; set; } = 4;

    /// <summary>How long a claim holds; a run sends nothing it could not finish before its claim ends.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>This sender's name on the rows it claims; new on every start unless set.</summary>
    [MaxLength(200)]
    public string SenderId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>Delivery log entries older than this many days are deleted (finished ones only).</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 30;

    /// <summary>At most this many endpoints per organization.</summary>
    [Range(1, 100)]
    public int MaxEndpointsPerOrganization { get; set; } = 10;
}
