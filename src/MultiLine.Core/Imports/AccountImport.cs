using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Imports;

/// <summary>
/// An uploaded file as received: its name and its bytes (at most the size limit); for an Excel workbook, the sheet to
/// read (null: the first).
/// </summary>
public sealed record ImportUpload(string FileName, byte[] Content, string? Sheet = null)
{
    /// <summary>
    /// The content is CSV whatever the name says: a workbook edited in the browser is written back as CSV and keeps the
    /// name it was uploaded under (the batch names the file the admin chose).
    /// </summary>
    public bool WrittenAsCsv { get; init; }

    /// <summary>An Excel workbook by its name; a CSV otherwise (a workbook misnamed .csv is still recognised by its content).</summary>
    public bool IsWorkbook => !WrittenAsCsv && FileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase);

    /// <summary>The content as a stream the reader can read in place (no copy of the file).</summary>
    public MemoryStream OpenRead() => new(Content, 0, Content.Length, writable: false, publiclyVisible: true);
}

/// <summary>Why an upload was refused before it was checked: not a CSV file or workbook, or too large (the API answers 413 for the latter).</summary>
public sealed record UploadRefusal(bool TooLarge, string Message);

/// <summary>What the admin sees before committing: the checked file, the group it goes to, and an earlier import of the same file.</summary>
public sealed record ImportCheck(ImportValidationResult Validation, int PermissionGroupId, PreviousImport? Previous);

/// <summary>
/// The admin's choice after the preview. <see cref="Preview"/> is what they saw (the page passes it; the API, which checks
/// and commits in one call, does not): when the file's rows fare differently now, the commit is refused with the changes.
/// </summary>
public sealed record ImportCommand(
    ImportUpload Upload, ImportTarget Target, bool Invite, bool OnlyValidRows, Activity.ActivityActor Actor, ImportValidationResult? Preview = null,
    BrowserEdits? Edits = null);

/// <summary>The queued batch, or why nothing was stored, with the file as it was checked at commit time.</summary>
public sealed record ImportOutcome(SubmitResult Result, ImportValidationResult Validation, IReadOnlyList<string> Changes)
{
    public bool Succeeded => Result.Succeeded;
}

/// <summary>
/// The one import command of the upload page and the API: reads the upload (type and size), picks the default
/// permission group, previews (validation and the "already imported" warning), and commits. The commit validates again
/// against the database as it is then — the preview is a dry run, not a promise — and anything that changed since the
/// preview is reported in the admin's words instead of being imported silently.
/// </summary>
public sealed class AccountImport(ImportValidator validator, ImportSubmission submission, IOptions<ImportOptions> options)
{
    /// <summary>At most this many changes are listed; the rest are counted.</summary>
    public const int ListedChanges = 10;

    private readonly ImportOptions _limits = options.Value;

    /// <summary>Refuses a file by its name and declared size before any byte is read; null when it may be read.</summary>
    public UploadRefusal? CheckFile(string fileName, long? size)
    {
        if (!fileName.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && !fileName.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
            return new(false, $"\"{fileName}\" is not a .csv or .xlsx file. Save your spreadsheet as CSV (comma or semicolon separated) or as Excel Workbook (.xlsx) and upload that.");
        if (size > _limits.MaxFileBytes)
            return new(true, TooLarge(fileName, size.Value));
        return null;
    }

    /// <summary>Copies the upload, at most one byte over the limit, so a larger stream is refused without reading all of it.</summary>
    public async Task<(ImportUpload? Upload, UploadRefusal? Refusal)> ReadAsync(Stream content, string fileName, long? declaredSize, CancellationToken cancellationToken = default)
    {
        var name = Path.GetFileName(fileName);
        if (CheckFile(name, declaredSize) is { } refused)
            return (null, refused);
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while (buffer.Length <= _limits.MaxFileBytes && (read = await content.ReadAsync(chunk, cancellationToken)) > 0)
            buffer.Write(chunk, 0, (int)Math.Min(read, _limits.MaxFileBytes + 1 - buffer.Length));
        if (buffer.Length > _limits.MaxFileBytes)
            return (null, new UploadRefusal(true, TooLarge(name, null)));
        return (new ImportUpload(name, buffer.ToArray()), null);
    }

    /// <summary>The sheets an admin can choose from: a workbook's visible sheets in tab order; none for a CSV.</summary>
    public IReadOnlyList<string> Sheets(ImportUpload upload) =>
        upload.IsWorkbook || WorkbookReader.IsZip(upload.Content) ? WorkbookReader.SheetNames(upload.Content, _limits) : [];

    /// <summary>The organization's default User Permissions group (its own or the nearest ancestor's), read in the admin's scope.</summary>
    public static async Task<int?> DefaultPermissionGroupAsync(MultiLineDbContext scopedDb, int organizationId, CancellationToken cancellationToken = default) =>
        (await OrganizationDirectory.PermissionGroupsAsync(scopedDb, organizationId, cancellationToken)).FirstOrDefault(g => g.IsDefault)?.Id;

    /// <summary>Checks the file as it would import now, and finds an earlier import of the same file in the admin's scope.</summary>
    public async Task<ImportCheck> PreviewAsync(MultiLineDbContext scopedDb, ImportUpload upload, ImportTarget target, CancellationToken cancellationToken = default)
    {
        var validation = await validator.ValidateAsync(upload, target, cancellationToken);
        var previous = validation.Sha256 is { } sha ? await ImportSubmission.FindPreviousImportAsync(scopedDb, sha, cancellationToken) : null;
        return new ImportCheck(validation, target.PermissionGroupId, previous);
    }

    /// <summary>Validates again and, unless the rows fare differently than in the preview, stores the batch for the worker.</summary>
    public async Task<ImportOutcome> CommitAsync(ImportCommand command, CancellationToken cancellationToken = default)
    {
        var validation = await validator.ValidateAsync(command.Upload, command.Target, cancellationToken);
        var changes = command.Preview is { } preview ? Changes(preview, validation, command.Invite) : [];
        if (changes.Count > 0)
        {
            var listed = changes.Take(ListedChanges).ToList();
            if (changes.Count > ListedChanges)
                listed.Add($"and {Words.Count(changes.Count - ListedChanges, "more change")}");
            var message = $"Nothing was imported: since you checked the file, {Words.Count(changes.Count, "thing")} changed. {string.Join(" ", listed)} Check the file again below, then choose Import.";
            return new ImportOutcome(SubmitResult.Refused(SubmitRefusal.ChangedSincePreview, message), validation, changes);
        }
        var result = await submission.SubmitAsync(
            new ImportRequest(validation, command.Target, command.Upload.FileName, command.Invite, command.OnlyValidRows, command.Actor, command.Edits),
            cancellationToken);
        return new ImportOutcome(result, validation, []);
    }

    /// <summary>
    /// How the rows fare now compared with the preview, one sentence per change, in row order. New warnings and a loss
    /// of free capacity matter only to Import &amp; Invite (<paramref name="invite"/>).
    /// </summary>
    public static IReadOnlyList<string> Changes(ImportValidationResult before, ImportValidationResult now, bool invite)
    {
        var changes = new List<string>();
        if (before.Sha256 != now.Sha256)
            return ["The file is not the one that was checked."];
        foreach (var error in now.FileErrors.Select(p => p.Text).Except(before.FileErrors.Select(p => p.Text)))
            changes.Add(error);
        var earlier = before.Rows.ToDictionary(r => r.RowNumber);
        foreach (var row in now.Rows)
        {
            if (!earlier.TryGetValue(row.RowNumber, out var was))
                continue;
            var known = was.Problems.Select(p => p.Text).ToHashSet();
            var added = row.Problems.Where(p => (p.IsError || invite) && !known.Contains(p.Text)).ToList();
            changes.AddRange(added.Select(p => p.Text.EndsWith('.') ? p.Text : p.Text + "."));
            if (!was.IsValid && row.IsValid)
                changes.Add($"Row {row.RowNumber} has no problem any more and can be imported.");
            else if (added.Count == 0 && row.IsValid && was.IsValid && row.Draft != was.Draft)
                changes.Add($"Row {row.RowNumber} would be imported with different values.");
        }
        if (invite && before.Capacity is { } had && now.Capacity is { } has && had.CanImportAndInvite && !has.CanImportAndInvite)
            changes.Add($"Free capacity changed: {has.Message}");
        return changes;
    }

    private string TooLarge(string fileName, long? size) => size is { } bytes
        ? $"\"{fileName}\" is {Size(bytes)}; files up to {Size(_limits.MaxFileBytes)} can be uploaded. Split it into smaller files."
        : $"\"{fileName}\" is larger than {Size(_limits.MaxFileBytes)}, the most one upload can hold. Split it into smaller files.";

    /// <summary>A file size as an admin reads it: "5 MB", "820 KB".</summary>
    public static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / 1024d / 1024:0.#} MB" : $"{Math.Max(1, bytes / 1024):N0} KB";
}
