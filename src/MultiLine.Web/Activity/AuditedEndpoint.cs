namespace MultiLine.Web.Activity;

/// <summary>
/// Says which activity-record action an endpoint's work leaves (<see cref="Core.Activity.ActivityActions"/>). Every
/// endpoint that writes (POST, PUT, PATCH, DELETE) or hands out a file must carry this or <see cref="NotAuditedMetadata"/>:
/// <c>ActivityCoverageTests</c> reads the app's route table and fails for one that carries neither. The metadata
/// documents a promise the endpoint's code keeps (the domain call records the entry in its own transaction, or the
/// download endpoint records it before the first byte); the per-action tests check that the promise holds.
/// </summary>
public sealed record AuditedMetadata(string Action);

/// <summary>An endpoint that writes or sends a file but leaves no entry, with the reason a reviewer can judge ("writes nothing: a dry run").</summary>
public sealed record NotAuditedMetadata(string Reason);

public static class AuditedEndpointExtensions
{
    /// <summary>This endpoint records <paramref name="action"/> once per successful call (and nothing when it refuses).</summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string action) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuditedMetadata(action));

    /// <summary>This endpoint deliberately records nothing; say why.</summary>
    public static TBuilder NotAudited<TBuilder>(this TBuilder builder, string reason) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new NotAuditedMetadata(reason));
}
