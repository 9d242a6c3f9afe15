using MultiLine.Core.Imports;

namespace MultiLine.Web.Api;

/// <summary>RFC 7807 problem details with the portal's own words in <c>detail</c>.</summary>
public static class ApiProblems
{
    public const string OrganizationNotFound = "That organization does not exist or is outside your scope.";
    public const string BatchNotFound = "That batch does not exist or is outside your scope.";

    public static IResult Create(int status, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: Title(status), extensions: extensions);

    public static IResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, detail);

    public static IResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, detail);

    /// <summary>A refused upload: the sentence that says why, plus every problem of the file and the repairs proposed for it (as validate gives them).</summary>
    public static IResult Upload(int status, string detail, ImportValidationResult validation) =>
        Create(status, detail, new Dictionary<string, object?>
        {
            ["problems"] = validation.FileProblems.Concat(validation.RowProblems).Select(ApiImportProblem.From).ToList(),
            ["counts"] = validation.Counts,
            ["capacity"] = ApiImportCapacity.From(validation.Capacity),
            ["repairs"] = validation.Repairs.Select(ApiRepair.From).ToList(),
        });

    private static string Title(int status) => status switch
    {
        400 => "The request cannot be used",
        401 => "Not signed in",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Conflict",
        413 => "Too large",
        422 => "Cannot be processed",
        429 => "Too many requests",
        _ => "Error",
    };
}
