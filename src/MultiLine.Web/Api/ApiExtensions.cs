using MultiLine.Web.Activity;
using System.Globalization;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

public static class ApiExtensions
{
    public const string Prefix = "/api/v1";
    public const string Policy = "Api";
    public const string RateLimitPolicy = "PerApiToken";

    /// <summary>Bearer tokens, the API policy (bearer only, API Users privilege), per-token rate limit, JSON and OpenAPI.</summary>
    public static IHostApplicationBuilder AddMultiLineApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ApiTokens>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        // Naming the scheme makes the API ignore the cookie: no redirects, and a signed-in browser is not an API client.
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => AdminClaims.Has(context.User, Privileges.ApiUsers)));
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = RejectAsync;
            options.AddPolicy(RateLimitPolicy, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.User.FindFirst(ApiTokenAuthenticationHandler.TokenIdClaim)?.Value ?? "",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.PermitLimit, Window = TimeSpan.FromSeconds(limits.WindowSeconds), QueueLimit = 0 });
            });
        });
        builder.Services.AddOpenApi("v1", options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer<ApiOpenApiTransformer>();
            options.AddOperationTransformer<ApiOpenApiTransformer>();
        });
        return builder;
    }

    /// <summary>After authorization: the per-token rate limiter, and problem details instead of the HTML error pages under /api.</summary>
    public static WebApplication UseMultiLineApi(this WebApplication app)
    {
        app.UseRateLimiter();
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                await next(context);
                return;
            }
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException exception) when (!context.Response.HasStarted)
            {
                // Unreadable JSON or a body over the limit (the framework throws these in Development).
                context.Response.Clear();
                context.Response.StatusCode = exception.StatusCode;
            }
            var response = context.Response;
            if (!response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
                await ApiProblems.Create(response.StatusCode, response.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
                    StatusCodes.Status415UnsupportedMediaType => "Send JSON with Content-Type: application/json.",
                    StatusCodes.Status400BadRequest => "The request cannot be read: check the JSON body and the query string.",
                    _ => "The request cannot be handled.",
                }).ExecuteAsync(context);
        });
        return app;
    }

    /// <summary>/api/v1: every endpoint group, each behind the API policy and the per-token rate limit; and /openapi/v1.json.</summary>
    public static IEndpointRouteBuilder MapMultiLineApi(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<ApiOptions>>().Value;
        var imports = endpoints.ServiceProvider.GetRequiredService<IOptions<ImportOptions>>().Value;
        var api = endpoints.MapGroup(Prefix)
            .RequireAuthorization(Policy)
            .RequireRateLimiting(RateLimitPolicy)
            .WithMetadata(new RequestSizeLimitAttribute(options.MaxJsonBytes));
        api.MapOrganizationEndpoints();
        api.MapOrganizationTreeEndpoints();
        api.MapNumberEndpoints();
        api.MapAccountEndpoints();
        api.MapAccountLifeEndpoints();
        api.MapBulkAccountEndpoints();
        api.MapBatchEndpoints();
        api.MapImportEndpoints(imports.MaxFileBytes + 64 * 1024);
        api.MapAccountTransferEndpoints(imports.MaxFileBytes + 64 * 1024);
        api.MapAdminEndpoints();
        api.MapActivityEndpoints();
        api.MapWebhookEndpoints();
        api.MapFallback(() => ApiProblems.NotFound("There is no such API endpoint. The OpenAPI document at /openapi/v1.json lists them all."))
            .ExcludeFromDescription()
            .NotAudited("Answers 404: there is no such endpoint.");
        endpoints.MapOpenApi().AllowAnonymous();
        return endpoints;
    }

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
        context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ApiProblems.Create(StatusCodes.Status429TooManyRequests,
            $"This API token made too many requests. Try again in {seconds} second{(seconds == 1 ? "" : "s")}.").ExecuteAsync(context.HttpContext);
    }
}
