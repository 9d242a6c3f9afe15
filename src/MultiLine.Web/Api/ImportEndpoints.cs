using MultiLine.Core.Activity;
using MultiLine.Web.Activity;
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
/// CSV and Excel workbook uploads: validate (writes nothing) and import (stores a batch the worker runs). The file is the
/// raw body (text/csv, or the .xlsx content type) or a multipart field named <c>file</c>; <c>sheet</c> names a workbook's
/// sheet (default the first). The same reader, rules and limits as the Add Account dialog apply.
/// </summary>
internal static class ImportEndpoints
{
    private const string DefaultFileName = "api-upload.csv";
    private const string DefaultWorkbookName = "api-upload.xlsx";

    public static RouteGroupBuilder MapImportEndpoints(this RouteGroupBuilder api, long maxRequestBytes)
    {
        var imports = api.MapGroup("/organizations/{id:int}/imports").WithTags("Imports").RequireAuthorization(Policies.Accounts)
            .WithMetadata(new RequestSizeLimitAttribute(maxRequestBytes));

        imports.MapPost("/validate", async (int id, int? permissionGroupId, bool? invite, string? fileName, string? sheet, HttpContext http, AccountImport import) =>
        {
            var upload = await ReadAsync(http, import, id, permissionGroupId, fileName, sheet);
            if (upload.Refused is { } refused)
                return refused;
            var data = http.RequestServices.GetRequiredService<ScopedDbContextFactory>();
            await using var db = await data.CreateAsync(http.RequestAborted);
            var preview = await import.PreviewAsync(db, upload.File!, upload.Target!, http.RequestAborted);
            return TypedResults.Ok(ApiValidation.From(preview.Validation));
        })
        .NotAudited("Writes nothing: checks the file as the preview does.")
        .WithName("ValidateImport")
        .WithSummary("Checks a CSV file or Excel workbook as the Add Account dialog previews it: file errors and warnings, per-row problems, counts and capacity. Writes nothing.")
        .WithDescription("The file is the raw request body (Content-Type: text/csv, or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet for .xlsx) or a multipart/form-data field named file. sheet names the workbook's sheet to read (default the first). permissionGroupId defaults to the organization's default group.")
        .Produces<ApiValidation>()
        .ProducesProblem(400)
        .ProducesProblem(404)
        .ProducesProblem(413)
        .WithMetadata(new CsvUploadMetadata(), ApiExample.Response(200, ApiExamples.Validation));

        imports.MapPost("/", async (int id, int? permissionGroupId, bool? invite, bool? onlyValidRows, string? fileName, string? sheet, HttpContext http, AccountImport import) =>
        {
            var upload = await ReadAsync(http, import, id, permissionGroupId, fileName, sheet);
            if (upload.Refused is { } refused)
                return refused;
            var outcome = await import.CommitAsync(
                new ImportCommand(upload.File!, upload.Target!, invite == true, onlyValidRows == true, await ApiRequest.ActorAsync(http)),
                http.RequestAborted);
            if (!outcome.Succeeded)
                return ApiProblems.Upload(outcome.Result.Refusal switch
                {
                    SubmitRefusal.UnreadableFile => StatusCodes.Status400BadRequest,
                    SubmitRefusal.NotEnoughNumbers => StatusCodes.Status409Conflict,
                    _ => StatusCodes.Status422UnprocessableEntity,
                }, outcome.Result.Error!, outcome.Validation);
            var data = http.RequestServices.GetRequiredService<ScopedDbContextFactory>();
            await using var db = await data.CreateAsync(http.RequestAborted);
            return await BatchEndpoints.AcceptedAsync(db, outcome.Result.BatchId!.Value, http.RequestAborted);
        })
        .Audited(ActivityActions.ImportSubmit)
        .WithName("ImportAccounts")
        .WithSummary("Imports a CSV file or Excel workbook (sheet=name, default the first) as a batch (invite=true for Import & Invite). 202 with the batch and a Location to poll.")
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

    private sealed record Upload(IResult? Refused, ImportUpload? File = null, ImportTarget? Target = null);

    /// <summary>The organization (in scope), its group (default unless given) and the file, read by the import command's rules.</summary>
    private static async Task<Upload> ReadAsync(HttpContext http, AccountImport import, int organizationId, int? permissionGroupId, string? fileName, string? sheet)
    {
        var cancellationToken = http.RequestAborted;
        var data = http.RequestServices.GetRequiredService<ScopedDbContextFactory>();
        await using var db = await data.CreateAsync(cancellationToken);
        if (!await db.Organizations.AnyAsync(o => o.Id == organizationId, cancellationToken))
            return new Upload(ApiProblems.NotFound(ApiProblems.OrganizationNotFound));
        var groupId = permissionGroupId ?? await AccountImport.DefaultPermissionGroupAsync(db, organizationId, cancellationToken);
        if (groupId is null)
            return new Upload(ApiProblems.BadRequest("The organization has no default User Permissions group: choose one with permissionGroupId."));

        var (file, refusal) = await ReadUploadAsync(http, import, fileName, sheet);
        return refusal is not null
            ? new Upload(refusal)
            : new Upload(null, file, new ImportTarget(organizationId, groupId.Value, AdminClaims.ToScope(http.User)));
    }

    /// <summary>
    /// The uploaded CSV or workbook (raw body or multipart field), read by the import command's rules: type and size, 413
    /// when too large. A raw body sent as the .xlsx content type is a workbook whatever <paramref name="fileName"/> says.
    /// </summary>
    internal static async Task<(ImportUpload? File, IResult? Refused)> ReadUploadAsync(HttpContext http, AccountImport import, string? fileName, string? sheet = null)
    {
        var cancellationToken = http.RequestAborted;
        try
        {
            var (stream, name, length) = await OpenFileAsync(http.Request, cancellationToken);
            if (stream is null)
                return (null, ApiProblems.BadRequest("The multipart form has no file: send the CSV or .xlsx file in a field named file."));
            await using (stream)
            {
                var workbookBody = name is null && http.Request.ContentType?.StartsWith(XlsxTemplate.ContentType, StringComparison.OrdinalIgnoreCase) == true;
                var chosenName = workbookBody
                    ? Path.ChangeExtension(fileName ?? DefaultWorkbookName, ".xlsx")
                    : fileName ?? name ?? DefaultFileName;
                var (file, error) = await import.ReadAsync(stream, chosenName, length, cancellationToken);
                if (error is not null)
                    return (null, ApiProblems.Create(error.TooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest, error.Message));
                return (string.IsNullOrWhiteSpace(sheet) ? file : file! with { Sheet = sheet.Trim() }, null);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, ApiProblems.Create(StatusCodes.Status413PayloadTooLarge,
                $"The request is larger than the {AccountImport.Size(http.RequestServices.GetRequiredService<IOptions<ImportOptions>>().Value.MaxFileBytes)} one upload can hold. Split the file into smaller files."));
        }
        catch (InvalidDataException e)
        {
            return (null, ApiProblems.BadRequest($"The multipart form cannot be read: {e.Message}"));
        }
    }

    /// <summary>The file's stream: the multipart field named file (or the first file), or else the raw body.</summary>
    private static async Task<(Stream? Stream, string? FileName, long? Length)> OpenFileAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
            return (request.Body, null, null);
        var form = await request.ReadFormAsync(cancellationToken);
        var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        return file is null ? (null, null, null) : (file.OpenReadStream(), file.FileName, file.Length);
    }
}

/// <summary>Marks an endpoint whose body is a CSV file or workbook, so the OpenAPI document describes the ways to send it.</summary>
internal sealed class CsvUploadMetadata;
