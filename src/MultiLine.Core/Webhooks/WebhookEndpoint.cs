using MultiLine.Core.Organizations;

namespace MultiLine.Core.Webhooks;

/// <summary>
/// An HTTPS address an organization registered to hear about its events. It receives the events it subscribed to of its
/// own organization and of every sub-organization. The signing secret is stored protected with ASP.NET Core Data
/// Protection (<see cref="WebhookSecrets"/>): the portal needs the plain secret to sign, so a hash would not do.
/// </summary>
public sealed class WebhookEndpoint
{
    public int Id { get; set; }
    public int OrganizationId { get; set; }
    public Organization? Organization { get; set; }

    public required string Url { get; set; }
    public WebhookEventTypes Events { get; set; }
    public bool IsActive { get; set; } = true;

    /// <summary>The signing secret as Data Protection's protector wrote it; never the plain text.</summary>
    public required string ProtectedSecret { get; set; }

    public DateTime CreatedAtUtc { get; set; }
    public DateTime? SecretRotatedAtUtc { get; set; }

    public const int MaxUrlLength = 2000;
}

/// <summary>The events an endpoint can subscribe to (<c>webhook.test</c> goes to one endpoint on request and needs no subscription).</summary>
[Flags]
public enum WebhookEventTypes
{
    None = 0,
    BatchCompleted = 1,
    AccountActivated = 2,
    InvitationFailed = 4,
}

public enum WebhookDeliveryState { Pending = 0, Delivered = 1, Failed = 2 }

/// <summary>
/// One event on its way to one endpoint: written in the same transaction as the change that raised it, then claimed,
/// sent and settled by <see cref="WebhookSender"/>. The last attempt's answer (status code or error, duration) stays on
/// the row for the delivery log.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public int EndpointId { get; set; }
    public WebhookEndpoint? Endpoint { get; set; }

    /// <summary>The endpoint's organization, which the admin scope filter compares.</summary>
    public int OrganizationId { get; set; }

    /// <summary>The event's id (<c>evt_…</c>), the same for every endpoint that receives it: receivers dedupe on it.</summary>
    public required string EventId { get; set; }
    public required string EventType { get; set; }

    /// <summary>The JSON body sent, exactly; the signature covers these bytes.</summary>
    public required string Payload { get; set; }

    public DateTime CreatedAtUtc { get; set; }
    public WebhookDeliveryState State { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAtUtc { get; set; }
    public DateTime? LastAttemptAtUtc { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public int? LastDurationMs { get; set; }
    public DateTime? DeliveredAtUtc { get; set; }

    /// <summary>The sender that holds the row while it sends it, and until when (<see cref="WebhookOptions.LeaseDuration"/>).</summary>
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimExpiresAtUtc { get; set; }

    public const int MaxErrorLength = 1000;
}

/// <summary>
/// One attempt of a delivery, kept for the delivery log: when it was made, the endpoint's answer (its status code, or why
/// there was none) and how long it took. Written in the transaction that saves the attempt's result on its delivery, and
/// deleted with the delivery (retention, or its endpoint deleted).
/// </summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public WebhookDelivery? Delivery { get; set; }

    /// <summary>The delivery's organization, which the admin scope filter compares.</summary>
    public int OrganizationId { get; set; }

    /// <summary>1 for the first attempt.</summary>
    public int Number { get; set; }
    public DateTime AtUtc { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public int DurationMs { get; set; }
}
