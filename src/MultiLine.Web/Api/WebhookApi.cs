using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Persistence;
using MultiLine.Core.Webhooks;
using MultiLine.Web.Activity;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>Add or change a webhook endpoint: its https:// address, the events it receives, whether it is active (the fields sent).</summary>
public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Events, bool? Active);

/// <summary>A webhook endpoint with its newest delivery's outcome.</summary>
public sealed record ApiWebhook(int Id, string Url, IReadOnlyList<string> Events, bool Active, DateTime CreatedAt,
    WebhookDeliveryState? LastDeliveryState, int? LastStatusCode, DateTime? LastAttemptAt)
{
    public static ApiWebhook From(WebhookEndpointRow e) => new(e.Id, e.Url, Names(e.Events), e.IsActive, e.CreatedAtUtc, e.LastState, e.LastStatusCode, e.LastAttemptAtUtc);

    public static IReadOnlyList<string> Names(WebhookEventTypes events) =>
        WebhookEvents.Subscribable.Where(s => events.HasFlag(s.Flag)).Select(s => s.Name).ToList();
}

/// <summary>What a change did; <c>secret</c> only when the change made or revealed one (shown this once: store it).</summary>
public sealed record ApiWebhookChange(string Message, int? Id, string? Secret, long? DeliveryId);

/// <summary>One delivery of the log: the event, its attempts and the last answer, and the JSON body sent.</summary>
public sealed record ApiWebhookDelivery(long Id, int EndpointId, string Event, string EventId, DateTime CreatedAt, WebhookDeliveryState State, int Attempts,
    int? LastStatusCode, string? LastError, int? LastDurationMs, DateTime? LastAttemptAt, DateTime? NextAttemptAt, DateTime? DeliveredAt, string Payload)
{
    public static ApiWebhookDelivery From(WebhookDeliveryRow d) => new(d.Id, d.EndpointId, d.EventType, d.EventId, d.CreatedAtUtc, d.State, d.Attempts,
        d.LastStatusCode, d.LastError, d.LastDurationMs, d.LastAttemptAtUtc, d.NextAttemptAtUtc, d.DeliveredAtUtc, d.Payload);
}

/// <summary>An organization's webhook endpoints and their delivery log (Setup privilege), through the same registry as the Settings page.</summary>
internal static class WebhookApi
{
    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/organizations/{id:int}/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.Setup);

        webhooks.MapGet("/", async (int id, ScopedDbContextFactory data, WebhookRegistry registry, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return await registry.ListAsync(db, id, cancellationToken) is { } list
                ? TypedResults.Ok(list.Select(ApiWebhook.From).ToList())
                : ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
        })
        .WithName("ListWebhooks")
        .WithSummary("The organization's webhook endpoints with their events and the outcome of their newest delivery.")
        .Produces<List<ApiWebhook>>()
        .ProducesProblem(404);

        webhooks.MapPost("/", async (int id, WebhookRequest request, ScopedDbContextFactory data, WebhookRegistry registry, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            if (!WebhookEvents.TryParse(request.Events, out var events, out var error))
                return ApiProblems.BadRequest(error!);
            await using var db = await data.CreateAsync(cancellationToken);
            var change = await registry.CreateAsync(db, id, request.Url, events, await admin.GetActorAsync(), cancellationToken);
            return change.Succeeded
                ? TypedResults.Created($"/api/v1/organizations/{id}/webhooks/{change.EndpointId}", Body(change))
                : Answer(change);
        })
        .WithName("CreateWebhook")
        .Audited(ActivityActions.WebhookCreate)
        .WithSummary("Adds an https:// endpoint for the events named (batch.completed, account.activated, invitation.failed); it also receives them from sub-organizations. The answer carries the signing secret: store it, it is shown once (or revealed later by an admin with Setup).")
        .Produces<ApiWebhookChange>(201)
        .ProducesProblem(400).ProducesProblem(404)
        .WithMetadata(ApiExample.Request(new WebhookRequest("https://hooks.example.com/multiline", [WebhookEvents.BatchCompleted, WebhookEvents.InvitationFailed], null)));

        webhooks.MapPatch("/{webhookId:int}", async (int id, int webhookId, WebhookRequest request, ScopedDbContextFactory data, WebhookRegistry registry, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            WebhookEventTypes? events = null;
            if (request.Events is not null)
            {
                if (!WebhookEvents.TryParse(request.Events, out var parsed, out var error))
                    return ApiProblems.BadRequest(error!);
                events = parsed;
            }
            await using var db = await data.CreateAsync(cancellationToken);
            return Answer(await registry.EditAsync(db, id, webhookId, request.Url, events, request.Active, await admin.GetActorAsync(), cancellationToken));
        })
        .WithName("EditWebhook")
        .Audited(ActivityActions.WebhookEdit)
        .WithSummary("Changes the address, the events or whether the endpoint is active (the fields sent). A disabled endpoint receives no new events; deliveries queued for it fail.")
        .Produces<ApiWebhookChange>()
        .ProducesProblem(400).ProducesProblem(404);

        webhooks.MapDelete("/{webhookId:int}", EndpointChange((registry, db, id, webhookId, actor, ct) => registry.DeleteAsync(db, id, webhookId, actor, ct)))
        .WithName("DeleteWebhook")
        .Audited(ActivityActions.WebhookDelete)
        .WithSummary("Deletes the endpoint with its delivery log; its queued deliveries are not sent.")
        .Produces<ApiWebhookChange>()
        .ProducesProblem(404);

        webhooks.MapGet("/{webhookId:int}/secret", EndpointChange((registry, db, id, webhookId, actor, ct) => registry.RevealSecretAsync(db, id, webhookId, actor, ct)))
        .WithName("RevealWebhookSecret")
        .Audited(ActivityActions.WebhookSecretReveal)
        .WithSummary("The endpoint's signing secret. Every reveal is recorded in the activity report.")
        .Produces<ApiWebhookChange>()
        .ProducesProblem(400).ProducesProblem(404);

        webhooks.MapPost("/{webhookId:int}/secret", EndpointChange((registry, db, id, webhookId, actor, ct) => registry.RotateSecretAsync(db, id, webhookId, actor, ct)))
        .WithName("RotateWebhookSecret")
        .Audited(ActivityActions.WebhookSecretRotate)
        .WithSummary("Makes a new signing secret (in the answer); every request from now on, retries included, is signed with it.")
        .Produces<ApiWebhookChange>()
        .ProducesProblem(404);

        webhooks.MapPost("/{webhookId:int}/test", async (int id, int webhookId, ScopedDbContextFactory data, WebhookRegistry registry, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            var change = await registry.SendTestAsync(db, id, webhookId, await admin.GetActorAsync(), cancellationToken);
            return change.Succeeded ? TypedResults.Accepted($"/api/v1/organizations/{id}/webhooks/deliveries?endpointId={webhookId}", Body(change)) : Answer(change);
        })
        .WithName("SendTestWebhook")
        .Audited(ActivityActions.WebhookTest)
        .WithSummary("Queues a webhook.test event for the endpoint through the usual delivery (signature, retries). Its outcome shows in the deliveries.")
        .Produces<ApiWebhookChange>(202)
        .ProducesProblem(400).ProducesProblem(404);

        webhooks.MapGet("/deliveries", async (int id, int? endpointId, int? page, int? pageSize, ScopedDbContextFactory data, WebhookRegistry registry, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            var paging = ApiRequest.Paging(page, pageSize);
            return await registry.DeliveriesAsync(db, id, endpointId, paging, cancellationToken) is { } deliveries
                ? TypedResults.Ok(new ApiPage<ApiWebhookDelivery>(deliveries.Items.Select(ApiWebhookDelivery.From).ToList(), paging.PageIndex + 1, paging.Take, deliveries.TotalCount))
                : ApiProblems.NotFound(WebhookRegistry.EndpointNotFound);
        })
        .WithName("ListWebhookDeliveries")
        .WithSummary("The delivery log of the organization's endpoints (or of endpointId), newest first: one line per event and endpoint with its attempts so far, the last attempt's status code or error and duration, the next retry, and the body sent. Finished deliveries are kept Webhooks:RetentionDays days (30 unless configured).")
        .Produces<ApiPage<ApiWebhookDelivery>>()
        .ProducesProblem(404);

        return api;
    }

    /// <summary>A route that makes one change to one endpoint through the registry, in the caller's scope, and answers with it.</summary>
    private static Delegate EndpointChange(Func<WebhookRegistry, MultiLineDbContext, int, int, ActivityActor, CancellationToken, Task<WebhookChange>> change) =>
        async (int id, int webhookId, ScopedDbContextFactory data, WebhookRegistry registry, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return Answer(await change(registry, db, id, webhookId, await admin.GetActorAsync(), cancellationToken));
        };

    private static ApiWebhookChange Body(WebhookChange change) => new(change.Message, change.EndpointId, change.Secret, change.DeliveryId);

    private static IResult Answer(WebhookChange change) => change.Status switch
    {
        WebhookChangeStatus.NotFound => ApiProblems.NotFound(change.Message),
        WebhookChangeStatus.Invalid => ApiProblems.BadRequest(change.Message),
        _ => TypedResults.Ok(Body(change)),
    };
}
