using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Api;

/// <summary>
/// CSV uploads: validate (writes nothing) and import (stores a batch the worker runs). The file is the raw body
/// (text/csv) or a multipart field named <c>file</c>; the same reader, rules and limits as the Add Account dialog apply.
/// </summary>
internal static class ImportEndpoints
{
    private const string DefaultFileName = "api-upload.csv";

    public static RouteGroupBuilder MapImportEndpoints(this RouteGroupBuilder api, long maxRequestBytes)
    {
        var imports = api.MapGroup("/organizations/{id:int}/imports").WithTags("Imports").RequireAuthorization(Policies.Accounts)
            .WithMetadata(new RequestSizeLimitAttribute(maxRequestBytes));

        imports.MapPost("/validate", async (int id, int? permissionGroupId, bool? invite, string? fileName, HttpContext http, ImportValidator validator) =>
        {
            var upload = await ReadAsync(http, id, permissionGroupId, fileName);
            if (upload.Refused is { } refused)
                return refused;
            var validation = await validator.ValidateAsync(new MemoryStream(upload.Bytes!), upload.Target!, http.RequestAborted);
            return TypedResults.Ok(ApiValidation.From(validation));
        })
        .WithName("ValidateImport")
        .WithSummary("Checks a CSV file as the Add Account dialog previews it: file errors and warnings, per-row problems, counts and capacity. Writes nothing.")
        .WithDescription("The CSV is the raw request body (Content-Type: text/csv) or a multipart/form-data field named file. permissionGroupId defaults to the organization's default group.")
        .Produces<ApiValidation>()
        .ProducesProblem(400)
        .ProducesProblem(404)
        .ProducesProblem(413)
        .WithMetadata(new CsvUploadMetadata(), ApiExample.Response(200, ApiExamples.Validation));

        imports.MapPost("/", async (int id, int? permissionGroupId, bool? invite, bool? onlyValidRows, string? fileName, HttpContext http, ImportValidator validator, ImportSubmission submission) =>
        {
            var upload = await ReadAsync(http, id, permissionGroupId, fileName);
            if (upload.Refused is { } refused)
                return refused;
            var validation = await validator.ValidateAsync(new MemoryStream(upload.Bytes!), upload.Target!, http.RequestAborted);
            var result = await submission.SubmitAsync(
                new ImportRequest(validation, upload.Target!, upload.FileName!, invite == true, onlyValidRows == true, ApiRequest.AdminName(http.User)),
                http.RequestAborted);
            if (!result.Succeeded)
                return ApiProblems.Upload(result.Refusal switch
                {
                    SubmitRefusal.UnreadableFile => StatusCodes.Status400BadRequest,
                    SubmitRefusal.NotEnoughNumbers => StatusCodes.Status409Conflict,
                    _ => StatusCodes.Status422UnprocessableEntity,
                }, result.Error!, validation);
            var data = http.RequestServices.GetRequiredService<ScopedDbContextFactory>();
            await using var db = await data.CreateAsync(http.RequestAborted);
            return await BatchEndpoints.AcceptedAsync(db, result.BatchId!.Value, http.RequestAborted);
        })
        .WithName("ImportAccounts")
        .WithSummary("Imports a CSV file as a batch (invite=true for Import & Invite). 202 with the batch and a Location to poll.")
        .WithDescription("400 when the file cannot be read at all; 422 when some rows have problems (unless onlyValidRows=true, which imports the valid rows and reports the others as failed) or no row can be imported; 409 when Import & Invite lacks free capacity.")
        .Produces<ApiBatch>(202)
        .ProducesProblem(400)
        .ProducesProblem(404)
        .ProducesProblem(409)
        .ProducesProblem(413)
        .ProducesProblem(422)
        .WithMetadata(new CsvUploadMetadata(), ApiExample.Response(202, ApiExamples.QueuedImport), ApiExample.Problem(409, ApiExamples.ImportConflict));

        return api;
    }

    private sealed record Upload(IResult? Refused, byte[]? Bytes = null, string? FileName = null, ImportTarget? Target = null);

    private static async Task<Upload> ReadAsync(HttpContext http, int organizationId, int? permissionGroupId, string? fileName)
    {
        var cancellationToken = http.RequestAborted;
        var data = http.RequestServices.GetRequiredService<ScopedDbContextFactory>();
        await using var db = await data.CreateAsync(cancellationToken);
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
            return new Upload(ApiProblems.NotFound(ApiProblems.OrganizationNotFound));
        var groupId = permissionGroupId
            ?? (await OrganizationDirectory.PermissionGroupsAsync(db, organizationId, cancellationToken)).FirstOrDefault(g => g.IsDefault)?.Id;
        if (groupId is null)
            return new Upload(ApiProblems.BadRequest("The organization has no default User Permissions group: choose one with permissionGroupId."));

        var limits = http.RequestServices.GetRequiredService<IOptions<ImportOptions>>().Value;
        var (bytes, name, error) = await ReadFileAsync(http.Request, limits.MaxFileBytes, cancellationToken);
        if (error is not null)
            return new Upload(error);
        var target = new ImportTarget(organizationId, groupId.Value, AdminClaims.ToScope(http.User));
        if (bytes!.Length > limits.MaxFileBytes)
        {
            // The reader words the refusal exactly as the dialog does.
            var validator = http.RequestServices.GetRequiredService<ImportValidator>();
            var tooLarge = await validator.ValidateAsync(new MemoryStream(bytes), target, cancellationToken);
            return new Upload(ApiProblems.Upload(StatusCodes.Status413PayloadTooLarge, string.Join(" ", tooLarge.FileErrors.Select(p => p.Text)), tooLarge));
        }
        return new Upload(null, bytes, Path.GetFileName(fileName ?? name ?? DefaultFileName), target);
    }

    /// <summary>Copies at most one byte more than the limit, so a larger file is told apart without reading all of it.</summary>
    private static async Task<(byte[]? Bytes, string? FileName, IResult? Error)> ReadFileAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(cancellationToken);
                var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
                if (file is null)
                    return (null, null, ApiProblems.BadRequest("The multipart form has no file: send the CSV in a field named file."));
                await using var stream = file.OpenReadStream();
                return (await CopyAsync(stream, maxBytes, cancellationToken), file.FileName, null);
            }
            return (await CopyAsync(request.Body, maxBytes, cancellationToken), null, null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, null, ApiProblems.Create(StatusCodes.Status413PayloadTooLarge,
                $"The request is larger than the {maxBytes / 1024 / 1024:0.#} MB one upload can hold. Split the file into smaller files."));
        }
        catch (InvalidDataException e)
        {
            return (null, null, ApiProblems.BadRequest($"The multipart form cannot be read: {e.Message}"));
        }
    }

    private static async Task<byte[]> CopyAsync(Stream source, long maxBytes, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while (buffer.Length <= maxBytes && (read = await source.ReadAsync(chunk, cancellationToken)) > 0)
            buffer.Write(chunk, 0, (int)Math.Min(read, maxBytes + 1 - buffer.Length));
        return buffer.ToArray();
    }
}

/// <summary>Marks an endpoint whose body is a CSV file, so the OpenAPI document describes both ways to send it.</summary>
internal sealed class CsvUploadMetadata;
