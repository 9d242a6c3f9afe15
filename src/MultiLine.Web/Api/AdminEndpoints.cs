using MultiLine.Core.Admins;
using MultiLine.Core.Persistence;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>An administrator in your scope. <c>scopeOrganizationId</c> null: all organizations.</summary>
public sealed record ApiAdministrator(
    int Id, string Name, string Email, int RoleId, string Role, IReadOnlyList<Privileges> Privileges, int? ScopeOrganizationId, string Scope,
    AdminStatus Status, DateTime? InvitedAtUtc, DateTime? InvitationExpiresAtUtc, DateTime? LastSignInAtUtc)
{
    public static ApiAdministrator From(AdministratorRow a) => new(
        a.Id, a.Name, a.Email, a.RoleId, a.Role, ApiRole.Split(a.Privileges), a.ScopeOrganizationId, a.Scope, a.Status, a.InvitedAtUtc,
        a.InvitationExpiresAtUtc, a.LastSignInAtUtc);
}

/// <summary>Who to invite. Leave <c>scopeOrganizationId</c> out (null) for all organizations, if your own scope is all of them.</summary>
public sealed record InviteAdministratorRequest(string Name, string Email, int RoleId, int? ScopeOrganizationId = null);

/// <summary>
/// What to change; a field left out stays. <c>allOrganizations</c>: true gives the scope of all organizations (then
/// <c>scopeOrganizationId</c> is ignored). <c>disabled</c>: true disables, false enables.
/// </summary>
public sealed record ChangeAdministratorRequest(int? RoleId = null, int? ScopeOrganizationId = null, bool? AllOrganizations = null, bool? Disabled = null);

/// <summary>What a change did, in the admin's words, and the administrator as they are now.</summary>
public sealed record ApiAdministratorChange(string Message, ApiAdministrator? Administrator);

/// <summary>A role, how many administrators have it, and whether you may edit or delete it (and why not).</summary>
public sealed record ApiRole(int Id, string Name, IReadOnlyList<Privileges> Privileges, int AdminCount, string? EditRefusal, string? DeleteRefusal)
{
    public static ApiRole From(RoleView r) => new(r.Id, r.Name, Split(r.Privileges), r.AdminCount, r.EditRefusal, r.DeleteRefusal);

    public static IReadOnlyList<Privileges> Split(Privileges privileges) =>
        AdminRules.PrivilegeNames.Select(p => p.Privilege).Where(p => (privileges & p) == p).ToList();
}

/// <summary>A role's name and privileges; on PATCH a field left out stays.</summary>
public sealed record RoleRequest(string? Name = null, IReadOnlyList<Privileges>? Privileges = null)
{
    public Privileges Combined(Privileges current) => Privileges is { } list ? list.Aggregate(Core.Admins.Privileges.None, (all, p) => all | p) : current;
}

/// <summary>Administrators (privilege Administrators) and roles (privilege Roles and Privileges), under the same no-escalation rules as the pages.</summary>
internal static class AdminEndpoints
{
    public static RouteGroupBuilder MapAdminEndpoints(this RouteGroupBuilder api)
    {
        var admins = api.MapGroup("/admins").WithTags("Administrators").RequireAuthorization(Policies.Administrators);

        admins.MapGet("/", async (string? search, AdminStatus? status, ScopedDbContextFactory data, AdministratorManagement management, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            var rows = await management.ListAsync(db, new AdministratorFilter(search, status), ct);
            return TypedResults.Ok(rows.Select(ApiAdministrator.From).ToList());
        })
        .WithName("ListAdministrators")
        .WithSummary("The administrators in your scope, by name; search matches name or email, status is Invited, Active or Disabled.")
        .Produces<List<ApiAdministrator>>()
        .WithMetadata(ApiExample.Response(200, new[] { AdminApiExamples.Administrator }));

        admins.MapGet("/{id:int}", async (int id, ScopedDbContextFactory data, AdministratorManagement management, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            return await management.GetAsync(db, id, ct) is { } admin ? TypedResults.Ok(ApiAdministrator.From(admin)) : ApiProblems.NotFound(AdminRules.AdminNotFound);
        })
        .WithName("GetAdministrator")
        .WithSummary("One administrator in your scope.")
        .Produces<ApiAdministrator>()
        .ProducesProblem(404);

        admins.MapPost("/", async (InviteAdministratorRequest request, ScopedDbContextFactory data, AdministratorManagement management, ICurrentAdmin current, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            var result = await management.InviteAsync(db, new NewAdministrator(request.Name, request.Email, request.RoleId, request.ScopeOrganizationId), await current.GetActorAsync(), ct);
            return await AnswerAsync(db, management, result, StatusCodes.Status201Created, ct);
        })
        .WithName("InviteAdministrator")
        .WithSummary("Adds an administrator and emails them a single-use link to set their password (no password is ever emailed). The role may hold only privileges you hold; the scope must be inside yours. 409 when the email is already an administrator's.")
        .Produces<ApiAdministratorChange>(StatusCodes.Status201Created)
        .ProducesProblem(403)
        .ProducesProblem(409)
        .ProducesProblem(422)
        .WithMetadata(ApiExample.Request(AdminApiExamples.Invite), ApiExample.Problem(403, AdminApiExamples.Escalation));

        admins.MapPatch("/{id:int}", async (int id, ChangeAdministratorRequest request, ScopedDbContextFactory data, AdministratorManagement management, ICurrentAdmin current, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            if (await management.GetAsync(db, id, ct) is not { } admin)
                return ApiProblems.NotFound(AdminRules.AdminNotFound);
            var actor = await current.GetActorAsync();
            ManagementResult? result = null;
            if (request.RoleId is not null || request.ScopeOrganizationId is not null || request.AllOrganizations is not null)
            {
                var scope = request.AllOrganizations == true ? null : request.ScopeOrganizationId ?? admin.ScopeOrganizationId;
                result = await management.ChangeAsync(db, id, request.RoleId ?? admin.RoleId, scope, actor, ct);
                if (!result.Succeeded)
                    return await AnswerAsync(db, management, result, StatusCodes.Status200OK, ct);
            }
            if (request.Disabled is { } disabled)
            {
                db.ChangeTracker.Clear();
                result = await management.SetDisabledAsync(db, id, disabled, actor, ct);
            }
            return await AnswerAsync(db, management, result ?? ManagementResult.Done($"{admin.Name} is unchanged.", id), StatusCodes.Status200OK, ct);
        })
        .WithName("ChangeAdministrator")
        .WithSummary("Changes an administrator's role, scope, or disables/enables them. Takes effect at their next request: their sessions and API tokens then carry the new role, or stop when disabled. You cannot change your own role or scope, nor disable yourself.")
        .Produces<ApiAdministratorChange>()
        .ProducesProblem(403)
        .ProducesProblem(404)
        .ProducesProblem(422)
        .WithMetadata(ApiExample.Request(new ChangeAdministratorRequest(RoleId: 3, ScopeOrganizationId: 4)));

        admins.MapPost("/{id:int}/resend-invitation", async (int id, ScopedDbContextFactory data, AdministratorManagement management, ICurrentAdmin current, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            return await AnswerAsync(db, management, await management.ResendAsync(db, id, await current.GetActorAsync(), ct), StatusCodes.Status200OK, ct);
        })
        .WithName("ResendAdministratorInvitation")
        .WithSummary("Emails a new set-password link to an administrator who has not set a password yet; the previous link stops working. 409 once they have set one.")
        .Produces<ApiAdministratorChange>()
        .ProducesProblem(404)
        .ProducesProblem(409);

        var roles = api.MapGroup("/roles").WithTags("Roles").RequireAuthorization(Policies.RolesAndPrivileges);

        roles.MapGet("/", async (ScopedDbContextFactory data, RoleManagement management, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            return TypedResults.Ok((await management.ListAsync(db, ct)).Select(ApiRole.From).ToList());
        })
        .WithName("ListRoles")
        .WithSummary("Every role with its privileges and how many administrators have it.")
        .Produces<List<ApiRole>>()
        .WithMetadata(ApiExample.Response(200, new[] { AdminApiExamples.Role }));

        roles.MapPost("/", async (RoleRequest request, ScopedDbContextFactory data, RoleManagement management, ICurrentAdmin current, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            var result = await management.CreateAsync(db, new RoleInput(request.Name ?? "", request.Combined(Privileges.None)), await current.GetActorAsync(), ct);
            return await AnswerRoleAsync(db, management, result, StatusCodes.Status201Created, ct);
        })
        .WithName("CreateRole")
        .WithSummary("Creates a role. Names are unique (case does not matter); a role may hold only privileges you hold.")
        .Produces<ApiRoleChange>(StatusCodes.Status201Created)
        .ProducesProblem(403)
        .ProducesProblem(409)
        .ProducesProblem(422)
        .WithMetadata(ApiExample.Request(AdminApiExamples.RoleRequest));

        roles.MapPatch("/{id:int}", async (int id, RoleRequest request, ScopedDbContextFactory data, RoleManagement management, ICurrentAdmin current, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            if (await management.GetAsync(db, id, ct) is not { } role)
                return ApiProblems.NotFound(AdminRules.RoleNotFound);
            var result = await management.EditAsync(db, id, new RoleInput(request.Name ?? role.Name, request.Combined(role.Privileges)), await current.GetActorAsync(), ct);
            return await AnswerRoleAsync(db, management, result, StatusCodes.Status200OK, ct);
        })
        .WithName("EditRole")
        .WithSummary("Renames a role or changes its privileges; administrators with it get them at their next request. Refused for a role holding privileges you do not hold.")
        .Produces<ApiRoleChange>()
        .ProducesProblem(403)
        .ProducesProblem(404)
        .ProducesProblem(409)
        .ProducesProblem(422);

        roles.MapDelete("/{id:int}", async (int id, ScopedDbContextFactory data, RoleManagement management, ICurrentAdmin current, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            var result = await management.DeleteAsync(db, id, await current.GetActorAsync(), ct);
            return result.Succeeded ? TypedResults.Ok(new ApiRoleChange(result.Message, null)) : Problem(result);
        })
        .WithName("DeleteRole")
        .WithSummary("Deletes a role no administrator has. 409 while it is in use.")
        .Produces<ApiRoleChange>()
        .ProducesProblem(403)
        .ProducesProblem(404)
        .ProducesProblem(409);

        return api;
    }

    private static IResult Problem(ManagementResult result) => result.Status switch
    {
        ManagementStatus.NotFound => ApiProblems.NotFound(result.Message),
        ManagementStatus.NotAllowed => ApiProblems.Create(StatusCodes.Status403Forbidden, result.Message),
        ManagementStatus.Conflict => ApiProblems.Create(StatusCodes.Status409Conflict, result.Message),
        _ => ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, result.Message),
    };

    private static async Task<IResult> AnswerAsync(MultiLineDbContext db, AdministratorManagement management, ManagementResult result, int status, CancellationToken ct)
    {
        if (!result.Succeeded)
            return Problem(result);
        var admin = await management.GetAsync(db, result.Id!.Value, ct);
        var body = new ApiAdministratorChange(result.Message, admin is null ? null : ApiAdministrator.From(admin));
        return status == StatusCodes.Status201Created ? TypedResults.Created($"{ApiExtensions.Prefix}/admins/{result.Id}", body) : TypedResults.Ok(body);
    }

    private static async Task<IResult> AnswerRoleAsync(MultiLineDbContext db, RoleManagement management, ManagementResult result, int status, CancellationToken ct)
    {
        if (!result.Succeeded)
            return Problem(result);
        var role = await management.GetAsync(db, result.Id!.Value, ct);
        var body = new ApiRoleChange(result.Message, role is null ? null : ApiRole.From(role));
        return status == StatusCodes.Status201Created ? TypedResults.Created($"{ApiExtensions.Prefix}/roles/{result.Id}", body) : TypedResults.Ok(body);
    }
}

/// <summary>What a role change did, and the role as it is now (null once deleted).</summary>
public sealed record ApiRoleChange(string Message, ApiRole? Role);

internal static class AdminApiExamples
{
    private static readonly DateTime Invited = new(2026, 11, 24, 9, 30, 0, DateTimeKind.Utc);

    public static readonly ApiAdministrator Administrator = new(
        12, "Sam Support", "sam@acme.example", 3, "Report Viewer", [Privileges.Reports], 3, "Acme Support", AdminStatus.Invited, Invited, Invited.AddDays(7), null);

    public static readonly InviteAdministratorRequest Invite = new("Sam Support", "sam@acme.example", 3, 3);

    public static readonly ApiRole Role = new(3, "Report Viewer", [Privileges.Reports], 1, null, RoleManagement.UsedBy(1));

    public static readonly RoleRequest RoleRequest = new("Numbers desk", [Privileges.Numbers, Privileges.Reports]);

    public static readonly object Escalation = new
    {
        type = "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        title = "Not allowed",
        status = 403,
        detail = AdminRules.RefuseRole(new AdminScope(1, "/1/", Privileges.Reports | Privileges.Administrators | Privileges.ApiUsers), "Organization Admin", Privileges.Accounts | Privileges.Numbers | Privileges.Reports),
    };
}
