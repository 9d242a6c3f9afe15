using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Imports;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;

namespace MultiLine.Web.Api;

/// <summary>One page of a list. <see cref="Page"/> counts from 1.</summary>
public sealed record ApiPage<T>(IReadOnlyList<T> Items, int Page, int PageSize, int TotalCount)
{
    public static ApiPage<T> From(Page<T> page, PageRequest request) => new(page.Items, request.PageIndex + 1, request.Take, page.TotalCount);
}

public sealed record ApiOrganization(
    int Id, string Name, int? ParentId, ApiOrganizationSettings Settings, int FreeCapacity, int AvailableNumbers,
    int PendingAccountsWithoutNumber, IReadOnlyList<ApiPermissionGroup> PermissionGroups)
{
    public static ApiOrganization From(OrganizationOption organization, FreeCapacity capacity, IReadOnlyList<PermissionGroupOption> groups) => new(
        organization.Id, organization.Name, organization.ParentId,
        new ApiOrganizationSettings(organization.SocialMessagingEnabled, organization.SmtpDataOffload),
        capacity.Value, capacity.AvailableNumbers, capacity.PendingAccountsWithoutNumber,
        groups.Select(g => new ApiPermissionGroup(g.Id, g.Name, g.IsDefault)).ToList());
}

public sealed record ApiOrganizationSettings(bool SocialMessagingEnabled, bool SmtpDataOffload);

public sealed record ApiPermissionGroup(int Id, string Name, bool Default);

/// <summary>One problem of an upload, as the preview lists it: <c>text</c> is the full sentence with row and column.</summary>
public sealed record ApiImportProblem(int? Row, string? Column, string? Value, string Message, ProblemSeverity Severity, string Text)
{
    public static ApiImportProblem From(ImportProblem p) => new(p.Row, p.Column, p.Value, p.Message, p.Severity, p.Text);
}

/// <summary>Whether Import &amp; Invite can promise a number to every valid row without one; <c>message</c> as the preview shows it.</summary>
public sealed record ApiImportCapacity(int RowsWithoutNumber, int FreeCapacity, bool SufficientForInvite, string Message)
{
    public static ApiImportCapacity? From(ImportCapacity? capacity) => capacity is null
        ? null
        : new(capacity.RowsWithoutNumber, capacity.FreeCapacity.Value, capacity.CanImportAndInvite, capacity.Message);
}

/// <summary>
/// A phone value a spreadsheet damaged and the value proposed for it (null when its digits are lost). Nothing is applied:
/// the client fixes its file and uploads it again.
/// </summary>
public sealed record ApiRepair(int Row, string Column, string Original, string? Proposed, string Reason)
{
    public static ApiRepair From(SpreadsheetRepair r) => new(r.Row, r.Column.Name(), r.Original, r.Proposed, r.Reason);
}

/// <summary>The preview of an upload. Nothing was written.</summary>
public sealed record ApiValidation(
    bool CanImport, bool CanImportAndInvite, ImportCounts Counts, ApiImportCapacity? Capacity,
    IReadOnlyList<ApiImportProblem> FileErrors, IReadOnlyList<ApiImportProblem> FileWarnings, IReadOnlyList<ApiImportProblem> Problems, string? Sha256,
    IReadOnlyList<ApiRepair> Repairs)
{
    public static ApiValidation From(ImportValidationResult r) => new(
        r.CanImport, r.CanImportAndInvite, r.Counts, ApiImportCapacity.From(r.Capacity),
        r.FileErrors.Select(ApiImportProblem.From).ToList(), r.FileWarnings.Select(ApiImportProblem.From).ToList(),
        r.RowProblems.Select(ApiImportProblem.From).ToList(), r.Sha256, r.Repairs.Select(ApiRepair.From).ToList());
}

/// <summary>A batch operation: what, where, by whom, how far, and where to read its rows and report.</summary>
public sealed record ApiBatch(
    int Id, BatchKind Kind, BatchState State, int OrganizationId, string Organization, string AdminName, string? FileName,
    DateTime CreatedAtUtc, DateTime? StartedAtUtc, DateTime? FinishedAtUtc, bool IsFinished, BatchCounts Counts, string? FailureReason,
    string RowsUrl, string ReportUrl, int BrowserEditedRows, int BrowserRemovedRows, int? UndoOfBatchId = null, int? UndoneByBatchId = null)
{
    public static ApiBatch From(BatchSummary b) => new(
        b.Id, b.Kind, b.State, b.OrganizationId, b.Organization, b.AdminName, b.FileName, b.CreatedAtUtc, b.StartedAtUtc, b.FinishedAtUtc,
        b.IsFinished, b.Counts, b.FailureReason, $"/api/v1/batches/{b.Id}/rows", $"/api/v1/batches/{b.Id}/report.csv",
        b.Edits?.EditedRows ?? 0, b.Edits?.RemovedRows ?? 0, b.UndoOfBatchId, b.UndoneByBatchId);
}

public sealed record MoveAccountsRequest(IReadOnlyList<int>? AccountIds, int DestinationOrganizationId);

public sealed record ResendInvitationsRequest(IReadOnlyList<int>? AccountIds);

/// <summary>
/// A bulk action's accounts, either <see cref="AccountIds"/> or every account matching <see cref="Filter"/>, and what the
/// action needs: destinationOrganizationId (move), number release/reserve and tag (delete), settings (edit-settings).
/// </summary>
public sealed record BulkAccountsRequest(
    IReadOnlyList<int>? AccountIds = null,
    AccountFilter? Filter = null,
    int? DestinationOrganizationId = null,
    string? Number = null,
    string? Tag = null,
    BulkAccountSettings? Settings = null);

/// <summary>The filter of <c>GET /api/v1/accounts</c>; an empty filter matches every account in your scope.</summary>
public sealed record AccountFilter(int? OrganizationId = null, bool? IncludeSubOrganizations = null, string? Status = null, string? Search = null);

/// <summary>The settings a bulk edit gives every account, in the CSV's words; a field left out keeps each account's own value.</summary>
public sealed record BulkAccountSettings(
    string? MonitorCalls = null,
    string? MonitorSms = null,
    bool? SocialMessaging = null,
    bool? RestrictIncomingSocialMessaging = null,
    string? Language = null,
    int? PermissionGroupId = null);

/// <summary>
/// An edit of one account: only the fields sent change (null: as it is). The values are the CSV's (monitorCalls auto/off,
/// monitorSms on/off, language English…); an empty multiLineNumber gives a pending account's number back.
/// </summary>
public sealed record EditAccountRequest(
    string? FirstName = null, string? LastName = null, string? Username = null, bool? SocialMessaging = null, string? MultiLineNumber = null,
    string? MonitorCalls = null, string? MonitorSms = null, string? ForwardingNumber = null, bool? RestrictIncomingSocialMessaging = null,
    string? Language = null, int? PermissionGroupId = null)
{
    /// <summary>The account's stored values with this request's on top, for the one validator.</summary>
    public AccountEdit ApplyTo(AccountDetails account)
    {
        var input = account.ToInput();
        input.FirstName = FirstName ?? input.FirstName;
        input.LastName = LastName ?? input.LastName;
        input.Username = Username ?? input.Username;
        input.SocialMessaging = SocialMessaging is { } social ? (social ? "Yes" : "No") : input.SocialMessaging;
        input.MultiLineNumber = MultiLineNumber ?? input.MultiLineNumber;
        input.MonitorCalls = MonitorCalls ?? input.MonitorCalls;
        input.MonitorSms = MonitorSms ?? input.MonitorSms;
        input.ForwardingNumber = ForwardingNumber ?? input.ForwardingNumber;
        input.RestrictIncomingSocialMessaging = RestrictIncomingSocialMessaging is { } restrict ? (restrict ? "true" : "false") : input.RestrictIncomingSocialMessaging;
        input.Language = Language ?? input.Language;
        return new AccountEdit(input, PermissionGroupId ?? account.PermissionGroupId);
    }
}

/// <summary>What an edit, suspend, unsuspend or delete did, in the admin's words, and the account as it is now (null once deleted).</summary>
public sealed record ApiAccountChange(string Message, AccountDetails? Account);

/// <summary>One value an update row sets: before and after, as the preview shows them.</summary>
public sealed record ApiFieldChange(string Field, string Before, string After);

/// <summary>One row of an update file: the account's username, whether it changes, is unchanged or is refused, and why.</summary>
public sealed record ApiUpdateRow(int Row, string? Username, UpdateRowOutcome Outcome, IReadOnlyList<ApiFieldChange> Changes, string? Reason, IReadOnlyList<ApiImportProblem> Problems)
{
    public static ApiUpdateRow From(AccountUpdateRow r) => new(
        r.RowNumber, r.Username, r.Outcome, r.Changes.Select(c => new ApiFieldChange(c.Field, c.Before, c.After)).ToList(),
        r.Outcome == UpdateRowOutcome.Refused ? r.Reason : null, r.Problems.Select(ApiImportProblem.From).ToList());
}

/// <summary>The preview of an update from CSV. Nothing was written.</summary>
public sealed record ApiUpdatePreview(
    bool CanUpdate, AccountUpdateCounts Counts, IReadOnlyList<ApiImportProblem> FileErrors, IReadOnlyList<ApiImportProblem> FileWarnings,
    IReadOnlyList<ApiUpdateRow> Rows, string? Sha256)
{
    public static ApiUpdatePreview From(AccountUpdatePreview p) => new(
        p.CanUpdate, p.Counts, p.FileErrors.Select(ApiImportProblem.From).ToList(), p.FileWarnings.Select(ApiImportProblem.From).ToList(),
        p.Rows.Select(ApiUpdateRow.From).ToList(), p.Sha256);
}
