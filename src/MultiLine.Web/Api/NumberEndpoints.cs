using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Web.Activity;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>A list of numbers to add: <see cref="Numbers"/> as the portal's box takes them (one a line or comma-separated). <see cref="DryRun"/>: check only.</summary>
public sealed record AddNumbersRequest(string Numbers, bool DryRun = false);

/// <summary>One number of the list that is refused, with its line and the reason.</summary>
public sealed record ApiRefusedNumber(int Line, string Text, string Reason);

/// <summary>What adding a list did (or, for a dry run, would do).</summary>
public sealed record ApiNumberAddition(int Added, int ToAdd, string Summary, IReadOnlyList<ApiRefusedNumber> Refused)
{
    public static ApiNumberAddition From(NumberAdditionResult result) => new(result.Added, result.Preview?.ToAdd.Count ?? 0, result.Preview?.Summary ?? "",
        result.Preview?.Refused.Select(r => new ApiRefusedNumber(r.Line, r.Text, r.Refusal!)).ToList() ?? []);
}

/// <summary>Allocate <see cref="Quantity"/> Available numbers of the series (such as +1415; empty for any) to a sub-organization.</summary>
public sealed record AllocateNumbersRequest(int ToOrganizationId, string? Series, int Quantity);

/// <summary>Which numbers: the numbers named, or <see cref="Quantity"/> numbers of a series (lowest first).</summary>
public sealed record PickNumbersRequest(IReadOnlyList<string>? Numbers = null, string? Series = null, int? Quantity = null)
{
    public NumberPick ToPick() => Numbers is { Count: > 0 } named ? NumberPick.Named(named) : NumberPick.FromSeries(Series, Quantity ?? 0);
}

/// <summary>Reserve numbers with a tag such as PORTED: the numbers named, or a quantity of a series.</summary>
public sealed record ReserveNumbersRequest(string Tag, IReadOnlyList<string>? Numbers = null, string? Series = null, int? Quantity = null);

/// <summary>What a multi-number act did.</summary>
public sealed record ApiNumberMove(int Count, string Description);

/// <summary>The utilization alert threshold in percent (1–100), or null to switch it off.</summary>
public sealed record UtilizationThresholdRequest(int? ThresholdPercent);

/// <summary>Adding numbers from a list, allocating and withdrawing them along the organization tree, reserving, and utilization.</summary>
internal static class NumberEndpoints
{
    public static RouteGroupBuilder MapNumberEndpoints(this RouteGroupBuilder api)
    {
        var organizations = api.MapGroup("/organizations/{id:int}").WithTags("Numbers");

        organizations.MapPost("/numbers", async (int id, AddNumbersRequest request, ScopedDbContextFactory data, NumberAdditions additions, ICurrentAdmin admin, TimeProvider clock,
            CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            var result = request.DryRun
                ? await additions.PreviewAsync(db, id, request.Numbers, cancellationToken)
                : await additions.AddAsync(db, await admin.GetActorAsync(), clock.GetUtcNow().UtcDateTime, id, request.Numbers, cancellationToken: cancellationToken);
            return result switch
            {
                { Succeeded: false, Error: NumberMoves.NotInScope } => ApiProblems.NotFound(ApiProblems.OrganizationNotFound),
                { Succeeded: false } => ApiProblems.Create(StatusCodes.Status422UnprocessableEntity, result.Error!,
                    new Dictionary<string, object?> { ["refused"] = ApiNumberAddition.From(result).Refused }),
                _ => TypedResults.Ok(ApiNumberAddition.From(result)),
            };
        })
        .WithName("AddNumbers")
        .Audited(ActivityActions.NumbersAdd)
        .WithSummary("Adds a list of numbers (E.164, one a line or comma-separated) to the organization as Available. Each number must be new to the whole inventory; refused ones are listed with the reason and the rest are added, all at once or none. dryRun=true only checks.")
        .Produces<ApiNumberAddition>()
        .ProducesProblem(404)
        .ProducesProblem(422)
        .WithMetadata(ApiExample.Request(new AddNumbersRequest("+14155550100\n+14155550101", DryRun: true)))
        .RequireAuthorization(Policies.Numbers);

        organizations.MapPost("/numbers/allocate", async (int id, AllocateNumbersRequest request, ScopedDbContextFactory data, ICurrentAdmin admin, TimeProvider clock,
            CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return Answer(await NumberMoves.AllocateAsync(db, await admin.GetActorAsync(), clock.GetUtcNow().UtcDateTime, id, request.ToOrganizationId, request.Series,
                request.Quantity, cancellationToken));
        })
        .WithName("AllocateNumbers")
        .Audited(ActivityActions.NumbersAllocate)
        .WithSummary("Allocates a quantity of the organization's Available numbers of a series (such as +1415), lowest first, to one of its sub-organizations. 409 with the count available when there are not enough; nothing moves then.")
        .Produces<ApiNumberMove>()
        .ProducesProblem(404)
        .ProducesProblem(409)
        .WithMetadata(ApiExample.Request(new AllocateNumbersRequest(7, "+1415", 50)))
        .RequireAuthorization(Policies.Numbers);

        organizations.MapPost("/numbers/withdraw", async (int id, PickNumbersRequest request, ScopedDbContextFactory data, ICurrentAdmin admin, TimeProvider clock,
            CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return Answer(await NumberMoves.WithdrawAsync(db, await admin.GetActorAsync(), clock.GetUtcNow().UtcDateTime, id, request.ToPick(), cancellationToken));
        })
        .WithName("WithdrawNumbers")
        .Audited(ActivityActions.NumbersWithdraw)
        .WithSummary("Withdraws unused numbers (Available, or Reserved without an account) of the organization back to its parent: the numbers named, or a quantity of a series. A number an account holds refuses the request (409, \"Only unused numbers can be withdrawn\").")
        .Produces<ApiNumberMove>()
        .ProducesProblem(404)
        .ProducesProblem(409)
        .WithMetadata(ApiExample.Request(new PickNumbersRequest(null, "+1415", 20)))
        .RequireAuthorization(Policies.Numbers);

        organizations.MapPost("/numbers/reserve", async (int id, ReserveNumbersRequest request, ScopedDbContextFactory data, ICurrentAdmin admin, TimeProvider clock,
            CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            var pick = new PickNumbersRequest(request.Numbers, request.Series, request.Quantity).ToPick();
            return Answer(await NumberMoves.ReserveAsync(db, await admin.GetActorAsync(), clock.GetUtcNow().UtcDateTime, id, request.Tag, pick, cancellationToken));
        })
        .WithName("ReserveNumbers")
        .Audited(ActivityActions.NumbersReserve)
        .WithSummary("Sets Available numbers aside with a tag such as PORTED: the numbers named, or a quantity of a series. An import row or the single-account form can then ask for tag:PORTED.")
        .Produces<ApiNumberMove>()
        .ProducesProblem(404)
        .ProducesProblem(409)
        .WithMetadata(ApiExample.Request(new ReserveNumbersRequest("PORTED", ["+14155550100"])))
        .RequireAuthorization(Policies.Numbers);

        organizations.MapPost("/numbers/release", async (int id, PickNumbersRequest request, ScopedDbContextFactory data, ICurrentAdmin admin, TimeProvider clock,
            CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return Answer(await NumberMoves.ReleaseAsync(db, await admin.GetActorAsync(), clock.GetUtcNow().UtcDateTime, id, request.ToPick(), cancellationToken));
        })
        .WithName("ReleaseNumbers")
        .Audited(ActivityActions.NumbersRelease)
        .WithSummary("Makes Reserved numbers Available again: the numbers named, or a quantity of a series.")
        .Produces<ApiNumberMove>()
        .ProducesProblem(404)
        .ProducesProblem(409)
        .RequireAuthorization(Policies.Numbers);

        organizations.MapGet("/number-utilization", async (int id, ScopedDbContextFactory data, CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            return await NumberUtilization.ForAsync(db, id, cancellationToken) is { } utilization
                ? TypedResults.Ok(utilization)
                : ApiProblems.NotFound(ApiProblems.OrganizationNotFound);
        })
        .WithName("GetNumberUtilization")
        .WithSummary("The organization's numbers by state, those allocated to its sub-organizations, the percentage in use and its alert threshold.")
        .Produces<NumberUtilization>()
        .ProducesProblem(404)
        .RequireAuthorization(Policies.Numbers);

        organizations.MapPut("/number-utilization", async (int id, UtilizationThresholdRequest request, ScopedDbContextFactory data, ICurrentAdmin admin, TimeProvider clock,
            CancellationToken cancellationToken) =>
        {
            await using var db = await data.CreateAsync(cancellationToken);
            var result = await NumberUtilization.SetThresholdAsync(db, await admin.GetActorAsync(), clock.GetUtcNow().UtcDateTime, id, request.ThresholdPercent, cancellationToken);
            if (!result.Succeeded)
                return result.Error == NumberMoves.NotInScope ? ApiProblems.NotFound(ApiProblems.OrganizationNotFound) : ApiProblems.BadRequest(result.Error!);
            return TypedResults.Ok(await NumberUtilization.ForAsync(db, id, cancellationToken));
        })
        .WithName("SetNumberUtilizationThreshold")
        .Audited(ActivityActions.NumbersThreshold)
        .WithSummary("Sets the utilization alert (1–100 %) or switches it off (null). The designated admins are emailed once each time utilization crosses it upward.")
        .Produces<NumberUtilization>()
        .ProducesProblem(400)
        .ProducesProblem(404)
        .WithMetadata(ApiExample.Request(new UtilizationThresholdRequest(90)))
        .RequireAuthorization(Policies.Numbers);

        return api;
    }

    private static IResult Answer(NumberMoveResult result) => result switch
    {
        { Succeeded: true } => TypedResults.Ok(new ApiNumberMove(result.Count, result.Description!)),
        { Error: NumberMoves.NotInScope } => ApiProblems.NotFound(ApiProblems.OrganizationNotFound),
        _ => ApiProblems.Create(StatusCodes.Status409Conflict, result.Error!),
    };
}
