using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Webhooks;

/// <summary>
/// The events and their JSON. <see cref="RaiseAsync"/> adds one delivery row per subscribed active endpoint of the
/// organization or an ancestor to the caller's context, unsaved: the caller's transaction commits the change and its
/// deliveries together, so an event is never lost after the change nor sent for a change that was rolled back.
/// </summary>
public static class WebhookEvents
{
    public const string BatchCompleted = "batch.completed";
    public const string AccountActivated = "account.activated";
    public const string InvitationFailed = "invitation.failed";
    public const string Test = "webhook.test";

    /// <summary>The events an endpoint can choose, in the order the settings show them.</summary>
    public static IReadOnlyList<(WebhookEventTypes Flag, string Name, string Description)> Subscribable { get; } =
    [
        (WebhookEventTypes.BatchCompleted, BatchCompleted, "A batch (import, move, bulk action) finished, cancelled or failed"),
        (WebhookEventTypes.AccountActivated, AccountActivated, "An end user activated their account"),
        (WebhookEventTypes.InvitationFailed, InvitationFailed, "An invitation failed: a rule refused it, or its email could not be delivered"),
    ];

    public static string Names(WebhookEventTypes events) =>
        string.Join(", ", Subscribable.Where(e => events.HasFlag(e.Flag)).Select(e => e.Name));

    /// <summary>Parses event names (as the API takes them); the error names the accepted values.</summary>
    public static bool TryParse(IEnumerable<string>? names, out WebhookEventTypes events, out string? error)
    {
        events = WebhookEventTypes.None;
        error = null;
        foreach (var name in names ?? [])
        {
            var match = Subscribable.FirstOrDefault(e => string.Equals(e.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match.Flag == WebhookEventTypes.None)
            {
                error = $"events: \"{name}\" is not one of {string.Join(", ", Subscribable.Select(e => e.Name))}.";
                return false;
            }
            events |= match.Flag;
        }
        return true;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>A batch ended (Completed, Completed with errors, Cancelled or Failed).</summary>
    public static Task<int> BatchCompletedAsync(MultiLineDbContext db, BatchOperation batch, string reportUrl, DateTime nowUtc, CancellationToken cancellationToken) =>
        RaiseAsync(db, batch.OrganizationId, WebhookEventTypes.BatchCompleted, BatchCompleted, new
        {
            batch = new
            {
                id = batch.Id,
                kind = batch.Kind.ToString(),
                state = batch.State.ToString(),
                fileName = batch.FileName,
                counts = new { total = batch.TotalRows, succeeded = batch.Succeeded, failed = batch.Failed, skipped = batch.Skipped, warnings = batch.Warnings },
                failureReason = batch.FailureReason,
                startedAt = batch.StartedAtUtc,
                finishedAt = batch.FinishedAtUtc,
                reportUrl,
            },
        }, nowUtc, cancellationToken);

    public static Task<int> AccountActivatedAsync(MultiLineDbContext db, int organizationId, int accountId, string username, string? number, DateTime nowUtc, CancellationToken cancellationToken) =>
        RaiseAsync(db, organizationId, WebhookEventTypes.AccountActivated, AccountActivated,
            new { account = new { id = accountId, username, number } }, nowUtc, cancellationToken);

    public static Task<int> InvitationFailedAsync(MultiLineDbContext db, int organizationId, int accountId, string username, string? reason, DateTime nowUtc, CancellationToken cancellationToken) =>
        RaiseAsync(db, organizationId, WebhookEventTypes.InvitationFailed, InvitationFailed,
            new { invitation = new { accountId, username, reason } }, nowUtc, cancellationToken);

    /// <summary>
    /// Adds a delivery of the event to every active endpoint of the organization and its ancestors that subscribed to it.
    /// Returns how many. Endpoints are few per organization, so they are read and matched here.
    /// </summary>
    public static async Task<int> RaiseAsync(MultiLineDbContext db, int organizationId, WebhookEventTypes flag, string type, object data, DateTime nowUtc, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.Where(o => o.Id == organizationId).Select(o => new { o.Id, o.Name, o.Path }).SingleOrDefaultAsync(cancellationToken);
        if (organization is null)
            return 0;
        var line = Organization.IdsOnPath(organization.Path).Append(organization.Id).Distinct().ToList();
        // Unscoped: the organization's ancestors' endpoints get the event too, also when an admin's action raises it.
        var endpoints = await db.WebhookSubscribers(line)
            .Select(e => new { e.Id, e.OrganizationId, e.Events })
            .ToListAsync(cancellationToken);
        var subscribed = endpoints.Where(e => e.Events.HasFlag(flag)).ToList();
        if (subscribed.Count == 0)
            return 0;
        var eventId = NewEventId();
        var payload = Payload(eventId, type, nowUtc, organization.Id, organization.Name, data);
        foreach (var endpoint in subscribed)
            db.WebhookDeliveries.Add(NewDelivery(endpoint.Id, endpoint.OrganizationId, eventId, type, payload, nowUtc));
        return subscribed.Count;
    }

    /// <summary>A <c>webhook.test</c> event for one endpoint, whatever it subscribed to.</summary>
    public static WebhookDelivery TestDelivery(WebhookEndpoint endpoint, string organizationName, DateTime nowUtc)
    {
        var eventId = NewEventId();
        var payload = Payload(eventId, Test, nowUtc, endpoint.OrganizationId, organizationName,
            new { message = "This is a test event from MultiLine Portal. Verify its signature with your endpoint's secret.", endpointId = endpoint.Id });
        return NewDelivery(endpoint.Id, endpoint.OrganizationId, eventId, Test, payload, nowUtc);
    }

    private static WebhookDelivery NewDelivery(int endpointId, int organizationId, string eventId, string type, string payload, DateTime nowUtc) => new()
    {
        EndpointId = endpointId,
        OrganizationId = organizationId,
        EventId = eventId,
        EventType = type,
        Payload = payload,
        CreatedAtUtc = nowUtc,
        NextAttemptAtUtc = nowUtc,
        State = WebhookDeliveryState.Pending,
    };

    private static string NewEventId() => "evt_" + Guid.NewGuid().ToString("N");

    private static string Payload(string eventId, string type, DateTime nowUtc, int organizationId, string organizationName, object data) =>
        JsonSerializer.Serialize(new
        {
            id = eventId,
            type,
            occurredAt = nowUtc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            organization = new { id = organizationId, name = organizationName },
            data,
        }, Json);
}
