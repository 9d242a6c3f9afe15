using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Web.Activity;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>Add a sub-organization.</summary>
public sealed record CreateOrganizationRequest(int? ParentId, string? Name);

/// <summary>Rename an organization.</summary>
public sealed record RenameOrganizationRequest(string? Name);

/// <summary>A permission group's name and features (<c>VoiceCalling</c>, <c>Sms</c>, <c>SocialMessaging</c>, <c>CallRecording</c>).</summary>
public sealed record PermissionGroupRequest(string? Name, IReadOnlyList<string>? Features);

/// <summary>The organization's default group: one of its own or inherited groups, or null to follow the parent's default.</summary>
public sealed record DefaultPermissionGroupRequest(int? PermissionGroupId);

/// <summary>What a change did, in the portal's words, and the id of the organization or group it made or changed.</summary>
public sealed record ApiOrganizationChange(string Message, int? Id);

/// <summary>A permission group as an organization sees it: where it is defined, whether it is the default, who uses it.</summary>
public sealed record ApiPermissionGroupDetails(
    int Id, string Name, IReadOnlyList<string> Features, int DefinedInOrganizationId, string DefinedIn, bool Inherited, bool Default,
    int Accounts, string? EditRefusal, string? DeleteRefusal)
{
    public static ApiPermissionGroupDetails From(PermissionGroupRow g) => new(
        g.Id, g.Name, PermissionGroupCatalog.AllFeatures.Where(f => g.Features.HasFlag(f)).Select(f => f.ToString()).ToList(),
        g.DefinedById, g.DefinedBy, !g.DefinedHere, g.IsDefault, g.AccountsUsing, g.EditRefusal, g.DeleteRefusal);
}

/// <summary>
/// The organization tree (create, rename, delete; <c>Profile</c> privilege) and permission groups (list, create, edit,
/// delete, choose the default; <c>Setup</c> privilege), through the same domain services as the pages.
/// </summary>
internal static class OrganizationTreeEndpoints
{
    public static RouteGroupBuilder MapOrganizationTreeEndpoints(this RouteGroupBuilder api)
    {
        var organizations = api.MapGroup("/organizations").WithTags("Organizations");

        organizations.MapPost("/", async (CreateOrganizationRequest request, ScopedDbContextFactory data, OrganizationTree tree, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            var result = await tree.CreateAsync(db, request.ParentId, request.Name, await admin.GetActorAsync(), cancellationToken);
            return result.Succeeded ? TypedResults.Created($"/api/v1/organizations/{result.OrganizationId}", new ApiOrganizationChange(result.Message, result.OrganizationId)) : Answer(result);
        })
        .WithName("CreateOrganization")
        .Audited(ActivityActions.OrganizationCreate)
        .WithSummary("Adds a sub-organization under parentId (in your scope). It inherits its parent's settings and permission groups. 409 when the name is taken or missing.")
        .Produces<ApiOrganizationChange>(201)
        .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
        .WithMetadata(ApiExample.Request(new CreateOrganizationRequest(4, "Acme West")))
        .RequireAuthorization(Policies.Profile);

        organizations.MapPatch("/{id:int}", async (int id, RenameOrganizationRequest request, ScopedDbContextFactory data, OrganizationTree tree, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return Answer(await tree.RenameAsync(db, id, request.Name, await admin.GetActorAsync(), cancellationToken));
        })
        .WithName("RenameOrganization")
        .Audited(ActivityActions.OrganizationRename)
        .WithSummary("Renames the organization. Names are unique across the portal. The top of your own scope cannot be renamed by you (409).")
        .Produces<ApiOrganizationChange>()
        .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
        .RequireAuthorization(Policies.Profile);

        organizations.MapDelete("/{id:int}", async (int id, ScopedDbContextFactory data, OrganizationTree tree, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return Answer(await tree.DeleteAsync(db, id, await admin.GetActorAsync(), cancellationToken));
        })
        .WithName("DeleteOrganization")
        .Audited(ActivityActions.OrganizationDelete)
        .WithSummary("Deletes the organization and its sub-organizations with their settings, templates, permission groups and finished batches. 409 while any of them holds accounts, administrators or numbers, or runs a batch; the detail says what is left.")
        .Produces<ApiOrganizationChange>()
        .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
        .WithMetadata(ApiExample.Problem(409, new { type = "https://tools.ietf.org/html/rfc9110#section-15.5.10", title = "Conflict", status = 409,
            detail = OrganizationTree.DeleteRefusal("Acme West", new OrganizationHoldings(12, 1, 40)) }))
        .RequireAuthorization(Policies.Profile);

        organizations.MapGet("/{id:int}/permission-groups", async (int id, ScopedDbContextFactory data, PermissionGroupCatalog catalog, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return await catalog.ListAsync(db, id, cancellationToken) is { } list
                ? TypedResults.Ok(list.Groups.Select(ApiPermissionGroupDetails.From).ToList())
                : ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
        })
        .WithName("ListPermissionGroups")
        .WithSummary("The permission groups the organization can use: its own and those inherited from its parents, with the default marked.")
        .Produces<List<ApiPermissionGroupDetails>>()
        .ProducesProblem(404)
        .RequireAuthorization(Policies.Setup);

        organizations.MapPost("/{id:int}/permission-groups", async (int id, PermissionGroupRequest request, ScopedDbContextFactory data, PermissionGroupCatalog catalog, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            if (!TryFeatures(request.Features, out var features, out var error))
                return error!;
            await using var db = await data.CreateAsync(cancellationToken);
            var result = await catalog.CreateAsync(db, id, request.Name, features, await admin.GetActorAsync(), cancellationToken);
            return result.Succeeded ? TypedResults.Created($"/api/v1/permission-groups/{result.OrganizationId}", new ApiOrganizationChange(result.Message, result.OrganizationId)) : Answer(result);
        })
        .WithName("CreatePermissionGroup")
        .Audited(ActivityActions.PermissionGroupCreate)
        .WithSummary("Defines a permission group on the organization; its sub-organizations inherit it. Names are unique within the organization.")
        .Produces<ApiOrganizationChange>(201)
        .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
        .WithMetadata(ApiExample.Request(new PermissionGroupRequest("Recorded lines", ["VoiceCalling", "Sms", "CallRecording"])))
        .RequireAuthorization(Policies.Setup);

        organizations.MapPut("/{id:int}/default-permission-group", async (int id, DefaultPermissionGroupRequest request, ScopedDbContextFactory data, PermissionGroupCatalog catalog, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return Answer(await catalog.SetDefaultAsync(db, id, request.PermissionGroupId, await admin.GetActorAsync(), cancellationToken));
        })
        .WithName("SetDefaultPermissionGroup")
        .Audited(ActivityActions.PermissionGroupDefault)
        .WithSummary("Chooses the organization's default permission group (its own or an inherited one); null follows the parent's default. Sub-organizations without their own choice follow it.")
        .Produces<ApiOrganizationChange>()
        .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
        .RequireAuthorization(Policies.Setup);

        var groups = api.MapGroup("/permission-groups").WithTags("Organizations");

        groups.MapPatch("/{id:int}", async (int id, PermissionGroupRequest request, ScopedDbContextFactory data, PermissionGroupCatalog catalog, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            var current = await db.PermissionGroups.FindAsync([id], cancellationToken);
            var features = current?.Features ?? Features.None;
            if (request.Features is not null && !TryFeatures(request.Features, out features, out var error))
                return error!;
            return Answer(await catalog.EditAsync(db, id, request.Name ?? current?.Name, features, await admin.GetActorAsync(), cancellationToken: cancellationToken));
        })
        .WithName("EditPermissionGroup")
        .Audited(ActivityActions.PermissionGroupEdit)
        .WithSummary("Renames the group or sets its features (the fields sent). Every account of the group gets the new features. Only groups defined in your scope can be edited.")
        .Produces<ApiOrganizationChange>()
        .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
        .RequireAuthorization(Policies.Setup);

        groups.MapDelete("/{id:int}", async (int id, ScopedDbContextFactory data, PermissionGroupCatalog catalog, ICurrentAdmin admin, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return Answer(await catalog.DeleteAsync(db, id, await admin.GetActorAsync(), cancellationToken: cancellationToken));
        })
        .WithName("DeletePermissionGroup")
        .Audited(ActivityActions.PermissionGroupDelete)
        .WithSummary("Deletes the group. 409 while accounts use it or it is an organization's default; the detail says which.")
        .Produces<ApiOrganizationChange>()
        .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
        .RequireAuthorization(Policies.Setup);

        return api;
    }

    private static IResult Answer(OrganizationChange result) => result.Status switch
    {
        OrganizationChangeStatus.NotFound => ApiProblems.NotFound(result.Message),
        OrganizationChangeStatus.NotAllowed => ApiProblems.Create(StatusCodes.Status403Forbidden, result.Message),
        OrganizationChangeStatus.Refused => ApiProblems.Create(StatusCodes.Status409Conflict, result.Message),
        _ => TypedResults.Ok(new ApiOrganizationChange(result.Message, result.OrganizationId)),
    };

    private static bool TryFeatures(IReadOnlyList<string>? names, out Features features, out IResult? error)
    {
        features = Features.None;
        error = null;
        foreach (var name in names ?? [])
        {
            var match = PermissionGroupCatalog.AllFeatures.FirstOrDefault(f => string.Equals(f.ToString(), name?.Trim(), StringComparison.OrdinalIgnoreCase));
            if (match == Features.None)
            {
                error = ApiProblems.BadRequest($"features: \"{name}\" is not one of {string.Join(", ", PermissionGroupCatalog.AllFeatures)}.");
                return false;
            }
            features |= match;
        }
        return true;
    }
}
