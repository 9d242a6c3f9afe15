using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace MultiLine.Web.Api;

/// <summary>An example attached to an endpoint: for its JSON request body (no status), a response, or a problem response.</summary>
internal sealed record ApiExample(int? Status, bool IsProblem, object Value)
{
    public static ApiExample Request(object value) => new(null, false, value);
    public static ApiExample Response(int status, object value) => new(status, false, value);
    public static ApiExample Problem(int status, object value) => new(status, true, value);
}

/// <summary>Adds to the generated document what the endpoints cannot say themselves: the bearer scheme, CSV bodies, examples.</summary>
internal sealed class ApiOpenApiTransformer(IOptions<JsonOptions> json) : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    private const string Bearer = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "MultiLine Portal API";
        document.Info.Description =
            "Everything an admin does in bulk, over HTTP. Send a personal API token (Settings → API tokens) as " +
            "\"Authorization: Bearer <token>\"; it acts with its admin's role and scope. Errors are RFC 7807 problem details.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "mlp_…",
            Description = "A personal API token. Requests beyond the per-token rate limit get 429 with Retry-After.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] });
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<CsvUploadMetadata>().Any())
            operation.RequestBody = CsvBody();
        foreach (var example in metadata.OfType<ApiExample>())
        {
            var node = JsonSerializer.SerializeToNode(example.Value, example.Value.GetType(), json.Value.SerializerOptions);
            var content = example.Status is { } status
                ? operation.Responses?.GetValueOrDefault(status.ToString(System.Globalization.CultureInfo.InvariantCulture))?.Content
                : operation.RequestBody?.Content;
            var type = example.Status is null ? "application/json" : example.IsProblem ? "application/problem+json" : "application/json";
            if (content?.TryGetValue(type, out var media) == true)
                media.Example = node;
        }
        return Task.CompletedTask;
    }

    private static OpenApiRequestBody CsvBody() => new()
    {
        Required = true,
        Description = "The CSV file or Excel workbook (.xlsx): the raw body, or a multipart form field named file. Same columns and limits as the Add Account dialog.",
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String }, Example = JsonValue.Create(ApiExamples.Csv) },
            [Core.Imports.XlsxTemplate.ContentType] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
            ["multipart/form-data"] = new()
            {
                Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Properties = new Dictionary<string, IOpenApiSchema> { ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                    Required = new HashSet<string> { "file" },
                },
            },
        },
    };
}
