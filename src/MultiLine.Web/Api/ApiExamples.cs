using MultiLine.Core.Accounts;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Numbers;

namespace MultiLine.Web.Api;

/// <summary>Examples for the OpenAPI document, built from the real response types so they cannot drift in shape.</summary>
internal static class ApiExamples
{
    public const string Csv =
        "firstname,lastname,email address or device,social_messaging,multiline_number,monitor_calls,monitor_sms,forwarding_number,restrict_incoming_social_messaging,language\r\n" +
        "Jane,Doe,jane.doe@example.com,Yes,,auto,on,,false,English\r\n" +
        "Marco,Rossi,+393471234567,No,+14155552000,off,off,,,Italian\r\n";

    private static readonly DateTime Created = new(2026, 11, 24, 9, 30, 0, DateTimeKind.Utc);

    public static readonly IReadOnlyList<ApiOrganization> Organizations =
    [
        new(1, "Acme Corp", null, new(true, false), 838, 900, 62, [new(1, "Standard", true), new(2, "Messaging only", false)]),
        new(2, "Acme Sales", 1, new(true, false), 574, 600, 26, [new(1, "Standard", true), new(2, "Messaging only", false)]),
    ];

    public static readonly ApiValidation Validation = new(
        CanImport: true, CanImportAndInvite: true, new ImportCounts(3, 2, 1, 0),
        ApiImportCapacity.From(new ImportCapacity(1, new FreeCapacity(600, 26)))!,
        [], [],
        [new(4, "monitor_sms", "yes", "\"yes\" is not one of on, off.", ProblemSeverity.Error, "Row 4, monitor_sms: \"yes\" is not one of on, off.")],
        "3f1c…",
        []);

    public static readonly ApiBatch QueuedImport = Batch(42, BatchKind.Import, BatchState.Queued, "accounts.csv", new BatchCounts(3, 0, 0, 0), finished: false);

    public static readonly ApiBatch FinishedImport = Batch(42, BatchKind.Import, BatchState.CompletedWithErrors, "accounts.csv", new BatchCounts(3, 2, 1, 0), finished: true);

    public static readonly ApiBatch QueuedMove = Batch(43, BatchKind.Move, BatchState.Queued, null, new BatchCounts(2, 0, 0, 0), finished: false);

    public static readonly MoveAccountsRequest MoveRequest = new([101, 102], 4);

    public static readonly ResendInvitationsRequest ResendRequest = new([101, 102]);

    public static readonly BulkAccountsRequest BulkFilterRequest = new(Filter: new AccountFilter(OrganizationId: 4, IncludeSubOrganizations: true, Status: "Invited"));

    public static readonly BulkAccountsRequest BulkMoveRequest = new(Filter: new AccountFilter(OrganizationId: 3, Status: "NotInvited"), DestinationOrganizationId: 4);

    public static readonly BulkAccountsRequest BulkDeleteRequest = new(AccountIds: [101, 102], Number: "reserve", Tag: "PORTED");

    public static readonly BulkAccountsRequest BulkEditRequest = new(Filter: new AccountFilter(Search: "sales"), Settings: new BulkAccountSettings(MonitorCalls: "auto", Language: "German"));

    public static ApiBatch QueuedBulk(BatchKind kind) => Batch(44, kind, BatchState.Queued, null, new BatchCounts(1250, 0, 0, 0), finished: false);

    public static readonly object MoveConflict = Problem(409, "Conflict", MovePlan.NotEnoughNumbers);

    // Worded by the domain, so the documented answer cannot drift from the real one.
    public static readonly object ImportConflict = Problem(409, "Conflict", new ImportCapacity(12, new FreeCapacity(3, 0)).Message);

    public static readonly AccountDetails Account = new(
        101, "Jane", "Doe", "jane.doe@example.com", 2, "Acme Sales", 1, "Standard", AccountStatus.Suspended, AccountStatus.Active, null,
        true, false, MonitorCalls.Auto, MonitorSms.On, null, Language.English, Created, new AccountNumber("+14155552000", NumberState.Registered),
        [new(7, Created.AddMinutes(1), Created.AddDays(7), Created.AddHours(2), null, Core.Invitations.Outbox.EmailState.Sent, 1, null, Created.AddMinutes(2))],
        [new(42, BatchKind.ImportAndInvite, "Demo Super Admin", "accounts.csv", Created, 2, RowOutcome.Succeeded, null, Created.AddSeconds(1))],
        [new(Created.AddDays(3), Core.Activity.ActivityActions.AccountSuspend, "Demo Super Admin", "Status: Active → Suspended", Core.Activity.ActivitySource.Api, "203.0.113.7")],
        [
            new(Created.AddDays(3), "Suspended", "Status: Active → Suspended", "Demo Super Admin (API)", null),
            new(Created.AddHours(2), "Activated", "The user activated the account with this invitation.", null, null),
            new(Created.AddMinutes(2), "Invitation sent", null, null, null),
            new(Created, "Imported by batch #42", "accounts.csv, row 2", "Demo Super Admin", 42),
        ]);

    public static readonly object AccountNotFound = Problem(404, "Not found", AccountLifecycle.NotFoundMessage);

    public static readonly EditAccountRequest EditRequest = new(FirstName: "Janet", MonitorSms: "off", PermissionGroupId: 1);

    public static readonly object EditRefused = Problem(422, "Cannot be processed", "The account was not saved: monitor_sms: \"yes\" is not one of on, off.");

    public static readonly object AlreadySuspended = Problem(409, "Conflict", AccountLifecycle.SuspendRefusal(AccountStatus.Suspended)!);

    public static readonly ApiAccountChange Deleted = new("jane.doe@example.com is deleted; number +14155552000 kept Reserved (PORTED).", null);

    private static object Problem(int status, string title, string detail) =>
        new { type = "https://tools.ietf.org/html/rfc9110#section-15.5.10", title, status, detail };

    private static ApiBatch Batch(int id, BatchKind kind, BatchState state, string? file, BatchCounts counts, bool finished) => new(
        id, kind, state, 2, "Acme Sales", "Demo Super Admin (API)", file, Created, finished ? Created.AddSeconds(1) : null,
        finished ? Created.AddSeconds(3) : null, finished, counts, null, $"/api/v1/batches/{id}/rows", $"/api/v1/batches/{id}/report.csv", 0, 0);
}
