using MultiLine.Core.Accounts;
using MultiLine.Core.Imports;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Batches;

/// <summary>One bulk action (import, import &amp; invite, move, resend, suspend, unsuspend, delete, edit settings) and its progress. The database is the source of truth.</summary>
public sealed class BatchOperation
{
    public int Id { get; set; }
    public BatchKind Kind { get; set; }
    public BatchState State { get; set; }

    public int AdminId { get; set; }
    public required string AdminName { get; set; }
    public int OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public int? PermissionGroupId { get; set; }
    public PermissionGroup? PermissionGroup { get; set; }

    public string? FileName { get; set; }
    public string? FileSha256 { get; set; }

    /// <summary>An import's rows the admin changed in the browser's preview before importing (the rows hold the edited values).</summary>
    public int BrowserEditedRows { get; set; }

    /// <summary>An import's rows the admin removed in the browser's preview; they are not in the batch.</summary>
    public int BrowserRemovedRows { get; set; }

    /// <summary>
    /// What a bulk action on accounts was asked to do beyond its kind (a delete's number choice, a bulk edit's settings),
    /// as JSON; read it with <see cref="BulkAccountAction.Of"/>.
    /// </summary>
    public string? Options { get; set; }

    public int TotalRows { get; set; }
    public int Succeeded { get; set; }
    public int Failed { get; set; }
    public int Skipped { get; set; }

    /// <summary>Succeeded rows that carry a warning, such as an account imported but not invited.</summary>
    public int Warnings { get; set; }

    public DateTime CreatedAtUtc { get; set; }
    public DateTime? StartedAtUtc { get; set; }
    public DateTime? FinishedAtUtc { get; set; }

    /// <summary>Why the whole batch failed, when it did.</summary>
    public string? FailureReason { get; set; }

    public bool CancelRequested { get; set; }
    public string? CancelledBy { get; set; }

    /// <summary>The worker that owns the batch while it runs, and until when its claim holds without renewal.</summary>
    public string? ClaimedBy { get; set; }
    public DateTime? ClaimExpiresAtUtc { get; set; }

    /// <summary>For an <see cref="BatchKind.UndoImport"/> batch: the import it undoes. Unique, so an import is undone once.</summary>
    public int? UndoOfBatchId { get; set; }

    public List<BatchRow> Rows { get; set; } = [];

    public int Processed => Succeeded + Failed + Skipped;
    public bool IsFinished => BatchStates.IsFinished(State);
}

/// <summary>One input row of a batch: what was asked, and what came of it.</summary>
public sealed class BatchRow
{
    public long Id { get; set; }
    public int BatchOperationId { get; set; }

    /// <summary>The row as the admin sees it in a spreadsheet (header = row 1); for non-file batches, 1, 2, 3…</summary>
    public int RowNumber { get; set; }

    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Username { get; set; }
    public string? NormalizedUsername { get; set; }
    public string? MultiLineNumber { get; set; }
    public bool SocialMessaging { get; set; }
    public bool RestrictIncomingSocialMessaging { get; set; }
    public MonitorCalls MonitorCalls { get; set; }
    public MonitorSms MonitorSms { get; set; }
    public string? ForwardingNumber { get; set; }
    public Language Language { get; set; }

    /// <summary>For move, resend and update batches: the existing account the row acts on.</summary>
    public int? TargetAccountId { get; set; }

    /// <summary>For update batches: the User Permissions group the row gives the account, when it changes it.</summary>
    public int? PermissionGroupId { get; set; }

    /// <summary>For update batches: which of the row's values to set; the others leave the account as it is.</summary>
    public AccountFields UpdateFields { get; set; }

    public RowOutcome Outcome { get; set; }
    public string? Reason { get; set; }
    public int? AccountId { get; set; }
    public string? Number { get; set; }
    public InvitationState? Invitation { get; set; }

    /// <summary>The invitation the row queued: the report reads its delivery state (Sent, Failed with the reply) from its email.</summary>
    public int? InvitationId { get; set; }
    public DateTime? ProcessedAtUtc { get; set; }

    public const int MaxNameLength = 256, MaxUsernameLength = 320, MaxNumberLength = 64, MaxReasonLength = 2000;

    /// <summary>A pending row for a checked CSV row; the draft's values are kept so the worker needs no second check.</summary>
    public static BatchRow FromDraft(int rowNumber, AccountDraft draft) => new()
    {
        RowNumber = rowNumber,
        FirstName = draft.FirstName,
        LastName = draft.LastName,
        Username = draft.Username.Value,
        NormalizedUsername = draft.Username.Normalized,
        MultiLineNumber = draft.MultiLineNumber,
        SocialMessaging = draft.SocialMessaging,
        RestrictIncomingSocialMessaging = draft.RestrictIncomingSocialMessaging,
        MonitorCalls = draft.MonitorCalls,
        MonitorSms = draft.MonitorSms,
        ForwardingNumber = draft.ForwardingNumber,
        Language = draft.Language,
    };

    /// <summary>An update row: the account it targets and the values of <paramref name="change"/> to set; the others stay as they are.</summary>
    public static BatchRow ForUpdate(int rowNumber, int accountId, string username, string? firstName, string? lastName, AccountSettingsChange change) => new()
    {
        RowNumber = rowNumber,
        TargetAccountId = accountId,
        Username = username,
        FirstName = change.FirstName ?? firstName,
        LastName = change.LastName ?? lastName,
        PermissionGroupId = change.PermissionGroupId,
        SocialMessaging = change.SocialMessaging ?? false,
        RestrictIncomingSocialMessaging = change.RestrictIncomingSocialMessaging ?? false,
        MonitorCalls = change.MonitorCalls ?? default,
        MonitorSms = change.MonitorSms ?? default,
        ForwardingNumber = change.ForwardingNumber,
        Language = change.Language ?? default,
        UpdateFields = change.Fields,
    };

    /// <summary>The change an update row stores (<see cref="ForUpdate"/>).</summary>
    public AccountSettingsChange ToSettingsChange() => new(
        UpdateFields.HasFlag(AccountFields.FirstName) ? FirstName : null,
        UpdateFields.HasFlag(AccountFields.LastName) ? LastName : null,
        UpdateFields.HasFlag(AccountFields.PermissionGroup) ? PermissionGroupId : null,
        UpdateFields.HasFlag(AccountFields.SocialMessaging) ? SocialMessaging : null,
        UpdateFields.HasFlag(AccountFields.RestrictIncomingSocialMessaging) ? RestrictIncomingSocialMessaging : null,
        UpdateFields.HasFlag(AccountFields.MonitorCalls) ? MonitorCalls : null,
        UpdateFields.HasFlag(AccountFields.MonitorSms) ? MonitorSms : null,
        UpdateFields.HasFlag(AccountFields.ForwardingNumber) ? ForwardingNumber : null,
        UpdateFields.HasFlag(AccountFields.Language) ? Language : null);

    /// <summary>The draft <see cref="FromDraft"/> stored.</summary>
    public AccountDraft ToDraft() => new(
        FirstName, LastName,
        new Username(Username!, NormalizedUsername!, NormalizedUsername!.StartsWith('+') ? UsernameKind.Phone : UsernameKind.Email),
        SocialMessaging, MultiLineNumber, MonitorCalls, MonitorSms, ForwardingNumber, RestrictIncomingSocialMessaging, Language);
}

public enum BatchKind
{
    Import = 0,
    ImportAndInvite = 1,
    Move = 2,
    ResendInvitations = 3,
    Update = 4,
    Suspend = 5,
    Unsuspend = 6,
    Delete = 7,

    /// <summary>One set of settings (monitor calls/SMS, social messaging, language, permission group) for every account.</summary>
    EditSettings = 8,

    /// <summary>Deletes the accounts an import created, releases their numbers and revokes their invitations (<see cref="ImportUndo"/>).</summary>
    UndoImport = 9,
}

public enum BatchState
{
    Queued = 0,
    Running = 1,
    Completed = 2,
    CompletedWithErrors = 3,
    Failed = 4,
    Cancelled = 5,

    /// <summary>Every row succeeded, but some with a warning (e.g. imported but not invited).</summary>
    CompletedWithWarnings = 6,
}

public enum RowOutcome { Pending = 0, Succeeded = 1, Failed = 2, Skipped = 3 }

/// <summary>The delivery state of a row's invitation, as the report shows it.</summary>
public enum InvitationState
{
    Queued = 0,
    Sent = 1,
    Failed = 2,

    /// <summary>A later resend replaced this invitation before it went out.</summary>
    Replaced = 3,
}

public static class BatchStates
{
    public static bool IsFinished(BatchState state) =>
        state is BatchState.Completed or BatchState.CompletedWithErrors or BatchState.CompletedWithWarnings or BatchState.Failed or BatchState.Cancelled;

    public static string Label(BatchState state) => state switch
    {
        BatchState.CompletedWithErrors => "Completed with errors",
        BatchState.CompletedWithWarnings => "Completed with warnings",
        _ => state.ToString(),
    };

    public static string Label(BatchKind kind) => kind switch
    {
        BatchKind.Import => "CSV import",
        BatchKind.ImportAndInvite => "CSV import & invite",
        BatchKind.Move => "Move accounts",
        BatchKind.ResendInvitations => "Resend invitations",
        BatchKind.Update => "Update accounts from CSV",
        BatchKind.Suspend => "Suspend accounts",
        BatchKind.Unsuspend => "Unsuspend accounts",
        BatchKind.Delete => "Delete accounts",
        BatchKind.EditSettings => "Edit account settings",
        BatchKind.UndoImport => "Undo import",
        _ => kind.ToString(),
    };

    /// <summary>The state a batch ends in once every row has an outcome: errors outrank warnings, which outrank a plain success.</summary>
    public static BatchState Final(int failed, int warnings, bool cancelled) =>
        cancelled ? BatchState.Cancelled
        : failed > 0 ? BatchState.CompletedWithErrors
        : warnings > 0 ? BatchState.CompletedWithWarnings
        : BatchState.Completed;
}
