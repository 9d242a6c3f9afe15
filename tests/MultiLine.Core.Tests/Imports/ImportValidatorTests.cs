using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using static MultiLine.Core.Tests.Imports.CsvFiles;

namespace MultiLine.Core.Tests.Imports;

public sealed class ImportValidatorTests : IDisposable
{
    private readonly ImportWorld _world = new();

    public void Dispose() => _world.Dispose();

    private static string[] Errors(ImportValidationResult result) =>
        result.RowProblems.Where(p => p.IsError).Select(p => p.Text).ToArray();

    [Fact]
    public async Task ValidFileGivesDraftsCountsHashAndCapacity()
    {
        _world.AddNumber(_world.Acme, "+14155550100");
        var csv = Lines(Header, Row("a@example.com", number: "+1 415 555 0100"), Row("b@example.com"), Row("c@example.com", sms: "yes"));

        var result = await _world.ValidateAsync(csv);

        Assert.Empty(result.FileProblems);
        Assert.Equal(new ImportCounts(3, 2, 1, 0), result.Counts);
        Assert.True(result.CanImport);
        Assert.Equal(["a@example.com", "b@example.com"], result.ValidRows.Select(r => r.Draft!.Username.Normalized));
        Assert.Equal("+14155550100", result.Rows[0].Draft!.MultiLineNumber);
        Assert.Equal(["Row 4, monitor_sms: \"yes\" is not one of on, off."], Errors(result));
        Assert.Null(result.Rows[2].Draft);
        Assert.Equal(64, result.Sha256!.Length);
        Assert.Equal(new ImportCapacity(1, new FreeCapacity(1, 0)), result.Capacity);
    }

    [Fact]
    public async Task DuplicateUsernamesInTheFileNameBothRows()
    {
        var csv = Lines(Header, Row("a@b.com"), Row("other@example.com"), Row("+1 415 555 0123"), "", Row("A@B.com"), Row("+14155550123"));

        var result = await _world.ValidateAsync(csv);

        Assert.Equal([
            "Row 6, email address or device: \"A@B.com\" is also on row 2.",
            "Row 7, email address or device: \"+14155550123\" is also on row 4.",
        ], Errors(result));
        // The phone-number username imports, with a warning that Import & Invite would not invite it.
        Assert.Equal(new ImportCounts(5, 3, 2, 1), result.Counts);
        Assert.Equal($"{ImportValidator.NotInvited} {InvitationRules.NeedsEmailAddress}", Assert.Single(result.Rows[2].Problems).Message);
    }

    [Fact]
    public async Task DuplicateNumbersInTheFileNameBothRows()
    {
        _world.AddNumber(_world.Acme, "+14155550100");
        var csv = Lines(Header, Row("a@example.com", number: "+14155550100"), Row("b@example.com", number: "+1 (415) 555-0100"));

        var result = await _world.ValidateAsync(csv);

        Assert.Equal(["Row 3, multiline_number: \"+1 (415) 555-0100\" is also on row 2."], Errors(result));
    }

    [Fact]
    public async Task ExistingUsernameInsideTheAdminsScopeNamesItsOrganization()
    {
        _world.AddAccount(_world.Team, "taken@example.com");
        _world.AddAccount(_world.Acme, "+14155550123");

        var result = await _world.ValidateAsync(Lines(Header, Row("Taken@Example.com"), Row("+1 415-555-0123")));

        Assert.Equal([
            "Row 2, email address or device: \"Taken@Example.com\" already exists in organization Team.",
            "Row 3, email address or device: \"+1 415-555-0123\" already exists in organization Acme.",
        ], Errors(result));
    }

    [Fact]
    public async Task ExistingUsernameOutsideTheAdminsScopeIsOnlySaidToBeInUse()
    {
        _world.AddAccount(_world.Other, "taken@example.com");

        var result = await _world.ValidateAsync(Lines(Header, Row("taken@example.com")));

        Assert.Equal(["Row 2, email address or device: \"taken@example.com\" is already in use by another account."], Errors(result));
    }

    [Fact]
    public async Task AnAdminOfAllOrganizationsSeesTheOrganizationOfAnyExistingUsername()
    {
        _world.AddAccount(_world.Other, "taken@example.com");

        var result = await _world.ValidateAsync(Lines(Header, Row("taken@example.com")), _world.Target(scope: AdminScope.System));

        Assert.Equal(["Row 2, email address or device: \"taken@example.com\" already exists in organization Other."], Errors(result));
    }

    [Fact]
    public async Task NumbersMustBeAvailableNumbersOfTheOrganization()
    {
        var holder = _world.AddAccount(_world.Acme, "holder@example.com", AccountStatus.Invited);
        var active = _world.AddAccount(_world.Acme, "active@example.com", AccountStatus.Active);
        _world.AddNumber(_world.Acme, "+14155550100");
        _world.AddNumber(_world.Root, "+14155550101");
        _world.AddNumber(_world.Other, "+14155550102");
        _world.AddNumber(_world.Acme, "+14155550103", NumberState.Reserved, "PORTED");
        _world.AddNumber(_world.Acme, "+14155550104", NumberState.Assigned, accountId: holder);
        _world.AddNumber(_world.Acme, "+14155550105", NumberState.Registered, accountId: active);
        _world.AddNumber(_world.Team, "+14155550106");
        var csv = Lines(Header,
            Row("r2@example.com", number: "+14155550100"),
            Row("r3@example.com", number: "+14155550101"),
            Row("r4@example.com", number: "+14155550102"),
            Row("r5@example.com", number: "+14155550103"),
            Row("r6@example.com", number: "+14155550104"),
            Row("r7@example.com", number: "+14155550105"),
            Row("r8@example.com", number: "+14155550199"),
            Row("r9@example.com", number: "+14155550106"));

        var result = await _world.ValidateAsync(csv);

        Assert.Equal([
            "Row 4, multiline_number: \"+14155550102\" is allocated to another organization.",
            "Row 5, multiline_number: \"+14155550103\" is reserved (PORTED); only an admin can hand out a reserved number, from the single-account form.",
            "Row 6, multiline_number: \"+14155550104\" is already assigned to another account.",
            "Row 7, multiline_number: \"+14155550105\" is already assigned to another account.",
            "Row 8, multiline_number: \"+14155550199\" is not a MultiLine number in the inventory.",
            "Row 9, multiline_number: \"+14155550106\" is allocated to another organization.",
        ], Errors(result));
        Assert.Equal([2, 3], result.ValidRows.Select(r => r.RowNumber));
    }

    [Fact]
    public async Task CapacityCountsValidRowsWithoutNumberAgainstFreeCapacity()
    {
        _world.AddNumber(_world.Acme, "+14155550100");
        _world.AddNumber(_world.Acme, "+14155550101");
        _world.AddNumber(_world.Acme, "+14155550102");
        _world.AddNumber(_world.Acme, "+14155550103", NumberState.Reserved, "VIP");
        _world.AddNumber(_world.Team, "+14155550104");
        _world.AddAccount(_world.Acme, "pending@example.com", AccountStatus.Invited);
        _world.AddAccount(_world.Acme, "failed@example.com", AccountStatus.InvitationFailed);
        _world.AddAccount(_world.Acme, "active@example.com", AccountStatus.Active);
        var holder = _world.AddAccount(_world.Acme, "holder@example.com");
        _world.AddNumber(_world.Acme, "+14155550105", NumberState.Assigned, accountId: holder);
        var csv = Lines(Header, Row("a@example.com"), Row("b@example.com", number: "+14155550100"), Row("c@example.com", sms: "bad"), Row("d@example.com"));

        var result = await _world.ValidateAsync(csv);

        Assert.Equal(new FreeCapacity(3, 2), result.Capacity!.FreeCapacity);
        Assert.Equal(2, result.Capacity.RowsWithoutNumber);
        Assert.False(result.CanImportAndInvite);
        Assert.True(result.CanImport);
        Assert.Equal("2 rows without a number; 3 Available numbers, 2 pending accounts waiting for a number: free capacity 1. Import & Invite needs free capacity for every row without a number: use Import, or add numbers to the organization first.",
            result.Capacity.Message);
    }

    [Fact]
    public async Task ImportAndInviteIsPossibleWhenCapacityCoversTheRowsWithoutNumber()
    {
        for (var i = 0; i < 120; i++)
            _world.AddNumber(_world.Acme, $"+1415555{i:D4}");
        var csv = Lines([Header, .. Enumerable.Range(1, 38).Select(i => Row($"user{i}@example.com"))]);

        var result = await _world.ValidateAsync(csv);

        Assert.True(result.CanImportAndInvite);
        Assert.Equal("38 rows without a number; 120 Available numbers, 0 pending accounts waiting for a number: free capacity 120.", result.Capacity!.Message);
    }

    [Fact]
    public async Task FreeCapacityQueryCountsOnlyTheOrganizationsOwnNumbersAndPendingAccounts()
    {
        _world.AddNumber(_world.Acme, "+14155550100");
        _world.AddNumber(_world.Acme, "+14155550101");
        _world.AddNumber(_world.Team, "+14155550102");
        _world.AddAccount(_world.Acme, "a@example.com");
        _world.AddAccount(_world.Team, "b@example.com");
        _world.AddAccount(_world.Acme, "c@example.com", AccountStatus.Suspended);
        await using var db = _world.Database.CreateDbContext();

        var capacity = await db.FreeCapacityAsync(_world.Acme.Id, TestContext.Current.CancellationToken);

        Assert.Equal(new FreeCapacity(2, 1), capacity);
        Assert.Equal(1, capacity.Value);
    }

    [Fact]
    public async Task FileErrorLeavesNoRowUsable()
    {
        var result = await _world.ValidateAsync(Lines([Header, .. Enumerable.Range(1, 4).Select(i => Row($"u{i}@example.com"))]), maxRows: 3);

        Assert.Equal(["The file has 4 accounts; at most 3 can be imported at once. Split it into smaller files."], result.FileErrors.Select(p => p.Text));
        Assert.Empty(result.Rows);
        Assert.False(result.CanImport);
        Assert.False(result.CanImportAndInvite);
        Assert.Null(result.Capacity);
    }

    [Fact]
    public async Task OrganizationOutsideTheAdminsScopeIsRefused()
    {
        var result = await _world.ValidateAsync(Lines(Header, Row("a@example.com")), _world.Target(_world.Other, _world.Standard));

        Assert.Equal(["The chosen organization does not exist or is outside your scope."], result.FileErrors.Select(p => p.Text));
        Assert.Empty(result.Rows);
    }

    [Fact]
    public async Task PermissionGroupMustBeUsableByTheOrganization()
    {
        var result = await _world.ValidateAsync(Lines(Header, Row("a@example.com")),
            _world.Target(_world.Other, _world.MessagingOnly, AdminScope.System));

        Assert.Equal(["The chosen User Permissions group is not available to organization Other."], result.FileErrors.Select(p => p.Text));
    }

    [Fact]
    public async Task InheritedPermissionGroupIsUsableAndItsVoiceCallingWarnsAboutForwarding()
    {
        var result = await _world.ValidateAsync(Lines(Header, Row("a@example.com", forwarding: "+14155550199")), _world.Target(group: _world.Standard));

        Assert.Equal(new ImportCounts(1, 1, 0, 1), result.Counts);
        Assert.Equal(["Row 2, forwarding_number: \"+14155550199\" will not be used: permission group Standard has voice calling, and forwarding applies only to accounts without it."],
            result.RowProblems.Select(p => p.Text));
    }

    [Fact]
    public async Task ExistingUsernamesAreFoundAcrossLookupChunks()
    {
        _world.AddAccounts(_world.Other, Enumerable.Range(0, 1200).Where(i => i % 2 == 0).Select(i => $"user{i}@example.com"));
        var csv = Lines([Header, .. Enumerable.Range(0, 1200).Select(i => Row($"user{i}@example.com"))]);

        var result = await _world.ValidateAsync(csv, maxRows: 2000);

        Assert.Equal(new ImportCounts(1200, 600, 600, 0), result.Counts);
        Assert.All(result.Rows.Where(r => !r.IsValid), r => Assert.Equal(0, (r.RowNumber - 2) % 2));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task TemplateOfEachOrganizationKindReadsBackWithItsNoteRowSkippedAndAValidExample(bool social, bool offload)
    {
        var organization = _world.AddOrganization($"Kind {social} {offload}", _world.Acme, social, offload);
        var template = CsvTemplate.For(organization);

        var result = await _world.Validator().ValidateAsync(new MemoryStream(template.ToBytes()),
            _world.Target(organization), TestContext.Current.CancellationToken);

        Assert.Equal(["Row 2 is the template's Note row of instructions; it was skipped. Delete it before uploading."],
            result.FileProblems.Select(p => p.Text));
        var row = Assert.Single(result.Rows);
        Assert.Equal(3, row.RowNumber);
        Assert.Empty(row.Problems);
        Assert.True(row.IsValid);
    }
}
