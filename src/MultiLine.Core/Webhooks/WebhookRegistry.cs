using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MultiLine.Core.Activity;
using MultiLine.Core.Common;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Webhooks;

public enum WebhookChangeStatus { Done, NotFound, Invalid }

/// <summary>What a change did, in the admin's words; <see cref="Secret"/> is the plain secret when the change made or revealed one.</summary>
public sealed record WebhookChange(WebhookChangeStatus Status, string Message, int? EndpointId = null, string? Secret = null, long? DeliveryId = null)
{
    public bool Succeeded => Status == WebhookChangeStatus.Done;
}

/// <summary>An endpoint as the settings list shows it, with its newest delivery's outcome.</summary>
public sealed record WebhookEndpointRow(
    int Id, string Url, WebhookEventTypes Events, bool IsActive, DateTime CreatedAtUtc,
    WebhookDeliveryState? LastState, int? LastStatusCode, DateTime? LastAttemptAtUtc, string? LastError);

/// <summary>One attempt of a delivery, as the delivery log lists it.</summary>
public sealed record WebhookAttemptRow(long DeliveryId, int Number, DateTime AtUtc, int? StatusCode, string? Error, int DurationMs)
{
    public bool Delivered => StatusCode is >= 200 and < 300;
}

/// <summary>One line of the delivery log.</summary>
public sealed record WebhookDeliveryRow(
    long Id, int EndpointId, string EndpointUrl, string EventType, string EventId, DateTime CreatedAtUtc, WebhookDeliveryState State,
    int Attempts, int? LastStatusCode, string? LastError, int? LastDurationMs, DateTime? LastAttemptAtUtc, DateTime? NextAttemptAtUtc,
    DateTime? DeliveredAtUtc, string Payload)
{
    public const int PreviewLength = 160;
    public string PayloadPreview => Payload.Length > PreviewLength ? string.Concat(Payload.AsSpan(0, PreviewLength - 1), "…") : Payload;
}

/// <summary>
/// An organization's webhook endpoints for the Settings page and the API alike (Setup privilege): list, add, edit,
/// delete, reveal or rotate the secret, send a test event, and read the delivery log. Works on the caller's scoped
/// context, so an endpoint outside the admin's scope does not exist for them; every change records one activity entry
/// in the same save.
/// </summary>
public sealed class WebhookRegistry(WebhookSecrets secrets, WebhookSignal signal, IOptions<WebhookOptions> options, TimeProvider clock)
{
    public const string EndpointNotFound = "That webhook endpoint does not exist or is outside your scope.";
    public const string OrganizationNotFound = "That organization does not exist or is outside your scope.";
    public const string NoEventsMessage = "Choose at least one event to send.";

    public async Task<IReadOnlyList<WebhookEndpointRow>?> ListAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken)
    {
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
            return null;
        return await db.WebhookEndpoints.AsNoTracking()
            .Where(e => e.OrganizationId == organizationId)
            .OrderBy(e => e.Id)
            .Select(e => new
            {
                e.Id, e.Url, e.Events, e.IsActive, e.CreatedAtUtc,
                Last = db.WebhookDeliveries.Where(d => d.EndpointId == e.Id && d.LastAttemptAtUtc != null)
                    .OrderByDescending(d => d.LastAttemptAtUtc).ThenByDescending(d => d.Id)
                    .Select(d => new { d.State, d.LastStatusCode, d.LastAttemptAtUtc, d.LastError }).FirstOrDefault(),
            })
            .Select(e => new WebhookEndpointRow(e.Id, e.Url, e.Events, e.IsActive, e.CreatedAtUtc,
                e.Last == null ? null : e.Last.State, e.Last == null ? null : e.Last.LastStatusCode, e.Last == null ? null : e.Last.LastAttemptAtUtc,
                e.Last == null ? null : e.Last.LastError))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Null when the address may be saved; else why not (for the form's field as the admin types).</summary>
    public string? UrlRefusal(string? url) => WebhookAddresses.Refusal(url, options.Value.AllowPrivateAddresses);

    public async Task<WebhookChange> CreateAsync(MultiLineDbContext db, int organizationId, string? url, WebhookEventTypes events, ActivityActor actor, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.Where(o => o.Id == organizationId).Select(o => new { o.Id, o.Name }).SingleOrDefaultAsync(cancellationToken);
        if (organization is null)
            return new(WebhookChangeStatus.NotFound, OrganizationNotFound);
        if (Invalid(url, events) is { } refusal)
            return refusal;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The organization's row lock, the one every capacity check takes (LockCapacityAsync): two admins adding an
        // endpoint at once count one after the other, so the limit holds on an engine with row locks as on SQLite.
        await db.LockCapacityAsync(organizationId, cancellationToken);
        var count = await db.WebhookEndpoints.CountAsync(e => e.OrganizationId == organizationId, cancellationToken);
        if (count >= options.Value.MaxEndpointsPerOrganization)
            return new(WebhookChangeStatus.Invalid, $"{organization.Name} already has {count} webhook endpoints, the most an organization can have. Delete one first.");
        var now = Now;
        var secret = WebhookSecrets.Generate();
        var endpoint = new WebhookEndpoint { OrganizationId = organizationId, Url = url!.Trim(), Events = events, ProtectedSecret = secrets.Protect(secret), CreatedAtUtc = now };
        db.WebhookEndpoints.Add(endpoint);
        // Saved first for its id, which the activity entry names; both commit together.
        await db.SaveChangesAsync(cancellationToken);
        Record(db, actor, now, ActivityActions.WebhookCreate, endpoint, $"Events: {WebhookEvents.Names(events)}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new(WebhookChangeStatus.Done, $"Added the webhook endpoint {endpoint.Url}. Copy its signing secret now.", endpoint.Id, secret);
    }

    /// <summary>Changes the fields given (null keeps the current value).</summary>
    public async Task<WebhookChange> EditAsync(MultiLineDbContext db, int organizationId, int endpointId, string? url, WebhookEventTypes? events, bool? active, ActivityActor actor, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(db, organizationId, endpointId, cancellationToken);
        if (endpoint is null)
            return new(WebhookChangeStatus.NotFound, EndpointNotFound);
        var newUrl = url?.Trim() ?? endpoint.Url;
        var newEvents = events ?? endpoint.Events;
        if (Invalid(newUrl, newEvents) is { } refusal)
            return refusal;
        var changes = new List<string>();
        if (newUrl != endpoint.Url)
            changes.Add($"Address: {endpoint.Url} → {newUrl}");
        if (newEvents != endpoint.Events)
            changes.Add($"Events: {WebhookEvents.Names(endpoint.Events)} → {WebhookEvents.Names(newEvents)}");
        if (active is { } a && a != endpoint.IsActive)
            changes.Add(a ? "Enabled" : "Disabled");
        if (changes.Count == 0)
            return new(WebhookChangeStatus.Done, "Nothing changed.", endpoint.Id);
        endpoint.Url = newUrl;
        endpoint.Events = newEvents;
        endpoint.IsActive = active ?? endpoint.IsActive;
        Record(db, actor, Now, ActivityActions.WebhookEdit, endpoint, string.Join("; ", changes));
        await db.SaveChangesAsync(cancellationToken);
        return new(WebhookChangeStatus.Done, $"Saved the webhook endpoint {endpoint.Url}.", endpoint.Id);
    }

    /// <summary>Deletes the endpoint and its delivery log; deliveries still queued for it are not sent.</summary>
    public async Task<WebhookChange> DeleteAsync(MultiLineDbContext db, int organizationId, int endpointId, ActivityActor actor, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(db, organizationId, endpointId, cancellationToken);
        if (endpoint is null)
            return new(WebhookChangeStatus.NotFound, EndpointNotFound);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.WebhookDeliveries.Where(d => d.EndpointId == endpoint.Id).ExecuteDeleteAsync(cancellationToken);
        db.WebhookEndpoints.Remove(endpoint);
        Record(db, actor, Now, ActivityActions.WebhookDelete, endpoint, $"Events: {WebhookEvents.Names(endpoint.Events)}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new(WebhookChangeStatus.Done, $"Deleted the webhook endpoint {endpoint.Url}.", endpoint.Id);
    }

    /// <summary>The plain secret, for an admin who needs it again; the reveal is recorded.</summary>
    public async Task<WebhookChange> RevealSecretAsync(MultiLineDbContext db, int organizationId, int endpointId, ActivityActor actor, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(db, organizationId, endpointId, cancellationToken);
        if (endpoint is null)
            return new(WebhookChangeStatus.NotFound, EndpointNotFound);
        string secret;
        try
        {
            secret = secrets.Unprotect(endpoint.ProtectedSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return new(WebhookChangeStatus.Invalid, "The secret cannot be read with this portal's keys (they were replaced). Rotate the secret to make a new one.", endpoint.Id);
        }
        Record(db, actor, Now, ActivityActions.WebhookSecretReveal, endpoint, null);
        await db.SaveChangesAsync(cancellationToken);
        return new(WebhookChangeStatus.Done, "The endpoint's signing secret.", endpoint.Id, secret);
    }

    /// <summary>A new secret; deliveries from now on, retries included, are signed with it.</summary>
    public async Task<WebhookChange> RotateSecretAsync(MultiLineDbContext db, int organizationId, int endpointId, ActivityActor actor, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(db, organizationId, endpointId, cancellationToken);
        if (endpoint is null)
            return new(WebhookChangeStatus.NotFound, EndpointNotFound);
        var secret = WebhookSecrets.Generate();
        var now = Now;
        endpoint.ProtectedSecret = secrets.Protect(secret);
        endpoint.SecretRotatedAtUtc = now;
        Record(db, actor, now, ActivityActions.WebhookSecretRotate, endpoint, null);
        await db.SaveChangesAsync(cancellationToken);
        return new(WebhookChangeStatus.Done, "Made a new signing secret. Requests are signed with it from now on: update your receiver.", endpoint.Id, secret);
    }

    /// <summary>Queues a <c>webhook.test</c> event for the endpoint through the usual delivery path and wakes the sender.</summary>
    public async Task<WebhookChange> SendTestAsync(MultiLineDbContext db, int organizationId, int endpointId, ActivityActor actor, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(db, organizationId, endpointId, cancellationToken);
        if (endpoint is null)
            return new(WebhookChangeStatus.NotFound, EndpointNotFound);
        if (!endpoint.IsActive)
            return new(WebhookChangeStatus.Invalid, "The endpoint is disabled. Enable it to send a test event.", endpoint.Id);
        var organization = await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Name).SingleAsync(cancellationToken);
        var now = Now;
        var delivery = WebhookEvents.TestDelivery(endpoint, organization, now);
        db.WebhookDeliveries.Add(delivery);
        Record(db, actor, now, ActivityActions.WebhookTest, endpoint, null);
        await db.SaveChangesAsync(cancellationToken);
        signal.Notify();
        return new(WebhookChangeStatus.Done, $"Queued a test event for {endpoint.Url}.", endpoint.Id, DeliveryId: delivery.Id);
    }

    /// <summary>The organization's delivery log, newest first; null when the organization (or the endpoint filtered on) is not in scope.</summary>
    public async Task<Page<WebhookDeliveryRow>?> DeliveriesAsync(MultiLineDbContext db, int organizationId, int? endpointId, PageRequest paging, CancellationToken cancellationToken)
    {
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
            return null;
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.OrganizationId == organizationId);
        if (endpointId is { } id)
        {
            if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id && e.OrganizationId == organizationId, cancellationToken))
                return null;
            query = query.Where(d => d.EndpointId == id);
        }
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(d => d.CreatedAtUtc).ThenByDescending(d => d.Id)
            .Skip(paging.Skip).Take(paging.Take)
            .Select(d => new WebhookDeliveryRow(d.Id, d.EndpointId, d.Endpoint!.Url, d.EventType, d.EventId, d.CreatedAtUtc, d.State, d.Attempts,
                d.LastStatusCode, d.LastError, d.LastDurationMs, d.LastAttemptAtUtc,
                d.State == WebhookDeliveryState.Pending ? d.NextAttemptAtUtc : null, d.DeliveredAtUtc, d.Payload))
            .ToListAsync(cancellationToken);
        return new Page<WebhookDeliveryRow>(rows, total);
    }

    /// <summary>
    /// Every attempt of <paramref name="deliveryIds"/> (deliveries of <paramref name="organizationId"/>), in order: the
    /// delivery log lists them under their delivery. A page of the log holds at most 50 deliveries of at most
    /// <see cref="WebhookSender.MaxAttempts"/> attempts each, so one query reads them all.
    /// </summary>
    public async Task<ILookup<long, WebhookAttemptRow>> AttemptsAsync(MultiLineDbContext db, int organizationId, IReadOnlyCollection<long> deliveryIds, CancellationToken cancellationToken)
    {
        if (deliveryIds.Count == 0)
            return Array.Empty<WebhookAttemptRow>().ToLookup(a => a.DeliveryId);
        var attempts = await db.WebhookAttempts.AsNoTracking()
            .Where(a => a.OrganizationId == organizationId && deliveryIds.Contains(a.DeliveryId))
            .OrderBy(a => a.DeliveryId).ThenBy(a => a.Number)
            .Select(a => new WebhookAttemptRow(a.DeliveryId, a.Number, a.AtUtc, a.StatusCode, a.Error, a.DurationMs))
            .ToListAsync(cancellationToken);
        return attempts.ToLookup(a => a.DeliveryId);
    }

    /// <summary>One delivery of the organization, for the page that waits for a test event's result.</summary>
    public Task<WebhookDeliveryRow?> DeliveryAsync(MultiLineDbContext db, int organizationId, long deliveryId, CancellationToken cancellationToken) =>
        db.WebhookDeliveries.AsNoTracking().Where(d => d.Id == deliveryId && d.OrganizationId == organizationId)
            .Select(d => new WebhookDeliveryRow(d.Id, d.EndpointId, d.Endpoint!.Url, d.EventType, d.EventId, d.CreatedAtUtc, d.State, d.Attempts,
                d.LastStatusCode, d.LastError, d.LastDurationMs, d.LastAttemptAtUtc,
                d.State == WebhookDeliveryState.Pending ? d.NextAttemptAtUtc : null, d.DeliveredAtUtc, d.Payload))
            .SingleOrDefaultAsync(cancellationToken);

    private WebhookChange? Invalid(string? url, WebhookEventTypes events)
    {
        if (UrlRefusal(url) is { } message)
            return new(WebhookChangeStatus.Invalid, message);
        if ((events & (WebhookEventTypes.BatchCompleted | WebhookEventTypes.AccountActivated | WebhookEventTypes.InvitationFailed)) == WebhookEventTypes.None)
            return new(WebhookChangeStatus.Invalid, NoEventsMessage);
        return null;
    }

    private static Task<WebhookEndpoint?> FindAsync(MultiLineDbContext db, int organizationId, int endpointId, CancellationToken cancellationToken) =>
        db.WebhookEndpoints.SingleOrDefaultAsync(e => e.Id == endpointId && e.OrganizationId == organizationId, cancellationToken);

    private static void Record(MultiLineDbContext db, ActivityActor actor, DateTime now, string action, WebhookEndpoint endpoint, string? details) =>
        ActivityLog.Record(db, actor, now, action, endpoint.OrganizationId, ActivityTargetKind.Webhook,
            endpoint.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), endpoint.Url, details);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
