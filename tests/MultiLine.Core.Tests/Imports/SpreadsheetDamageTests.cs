using MultiLine.Core.Imports;
using static MultiLine.Core.Tests.Imports.CsvFiles;

namespace MultiLine.Core.Tests.Imports;

public sealed class SpreadsheetDamageTests : IDisposable
{
    private readonly ImportWorld _world = new();

    public void Dispose() => _world.Dispose();

    [Theory]
    [InlineData(CsvColumn.MultiLineNumber, "14155550100", "+14155550100")]
    [InlineData(CsvColumn.Username, "14155550100", "+14155550100")]
    [InlineData(CsvColumn.ForwardingNumber, "442079460958", "+442079460958")]
    [InlineData(CsvColumn.MultiLineNumber, "442079460958", "+442079460958")]
    public void AMissingPlusIsProposedWhenTheNumberIsValidWithIt(CsvColumn column, string damaged, string repaired)
    {
        var repair = SpreadsheetDamage.Inspect(5, column, damaged);

        Assert.NotNull(repair);
        Assert.Equal(repaired, repair.Proposed);
        Assert.Equal(damaged, repair.Original);
        Assert.Contains("The leading + (or 00) is missing", repair.Reason);
    }

    [Theory]
    [InlineData("1.41555E+10")]
    [InlineData("4.4207E+11")]
    [InlineData("1,41555E+10")]
    // Lower case, with the + kept: libphonenumber alone would read the "e" as a keypad digit and accept it.
    [InlineData("+1.41555e10")]
    public void ScientificNotationThatDroppedDigitsCannotBeRepairedAndSaysSo(string damaged)
    {
        var repair = SpreadsheetDamage.Inspect(3, CsvColumn.MultiLineNumber, damaged);

        Assert.NotNull(repair);
        Assert.False(repair.CanRepair);
        Assert.Null(repair.Proposed);
        Assert.Equal(SpreadsheetDamage.DigitsLost, repair.Reason);
        Assert.Equal($"Row 3, multiline_number: \"{damaged}\" cannot be repaired. {SpreadsheetDamage.DigitsLost}", repair.Text);
    }

    [Fact]
    public void ScientificNotationHoldingEveryDigitIsWrittenOut()
    {
        var repair = SpreadsheetDamage.Inspect(3, CsvColumn.Username, "1.4155550100E+10");

        Assert.Equal("+14155550100", repair?.Proposed);
    }

    [Theory]
    [InlineData(CsvColumn.MultiLineNumber, "14155550100.0", "+14155550100")]
    [InlineData(CsvColumn.MultiLineNumber, "+14155550100.0", "+14155550100")]
    [InlineData(CsvColumn.ForwardingNumber, "'+14155550100", "+14155550100")]
    [InlineData(CsvColumn.Username, "=\"+14155550100\"", "+14155550100")]
    [InlineData(CsvColumn.ForwardingNumber, "+1/415/555/0100", "+14155550100")]
    [InlineData(CsvColumn.MultiLineNumber, "1 415-555.0100", "+14155550100")]
    public void FloatTailsTextMarkersAndStraySeparatorsAreProposedAway(CsvColumn column, string damaged, string repaired)
    {
        Assert.Equal(repaired, SpreadsheetDamage.Inspect(2, column, damaged)?.Proposed);
    }

    [Theory]
    [InlineData(CsvColumn.MultiLineNumber, "+14155550100")]
    [InlineData(CsvColumn.MultiLineNumber, "+1 415-555.0100")]
    [InlineData(CsvColumn.MultiLineNumber, "0044 20 7946 0958")]
    [InlineData(CsvColumn.MultiLineNumber, "tag:PORTED")]
    [InlineData(CsvColumn.Username, "jane@example.com")]
    [InlineData(CsvColumn.Username, "+1 (415) 555-0100")]
    [InlineData(CsvColumn.ForwardingNumber, "+44 20 7946 0958")]
    [InlineData(CsvColumn.FirstName, "14155550100")]
    [InlineData(CsvColumn.MultiLineNumber, "")]
    public void AValidValueOrAnotherColumnIsNeverFlagged(CsvColumn column, string value)
    {
        Assert.Null(SpreadsheetDamage.Inspect(2, column, value));
    }

    [Theory]
    [InlineData("2079460958")] // a London number that lost its trunk 0: which country is a guess
    [InlineData("4155550100")] // a US number without its country code: +41… would be a Swiss guess
    [InlineData("0207946095")] // a national number: no country code to add
    [InlineData("jane.doe@")] // not a number at all
    [InlineData("call me")]
    public void WhatCannotBeToldWithoutGuessingIsNotProposed(string value)
    {
        Assert.Null(SpreadsheetDamage.Inspect(2, CsvColumn.Username, value));
        Assert.Null(SpreadsheetDamage.Inspect(2, CsvColumn.MultiLineNumber, value));
    }

    [Fact]
    public async Task TheCheckProposesRepairsButImportsTheValueAsItIsUntilAccepted()
    {
        var csv = Lines(Header, Row("14155550100"), Row("b@example.com", number: "1.41555E+10"), Row("c@example.com"));

        var result = await _world.ValidateAsync(csv);

        Assert.Equal(new ImportCounts(3, 1, 2, 0), result.Counts);
        Assert.Equal(["Row 2, email address or device: \"14155550100\" has no country code; write it as +<country code><number>, e.g. +14155550123."],
            result.Rows[0].Problems.Select(p => p.Text));
        var repairs = result.Repairs.ToList();
        Assert.Equal([(2, CsvColumn.Username, "+14155550100"), (3, CsvColumn.MultiLineNumber, (string?)null)],
            repairs.Select(r => (r.Row, r.Column, r.Proposed)));
        Assert.Empty(result.Rows[2].Repairs);
    }

    [Theory]
    // A London number whose trunk 0 a spreadsheet dropped, in an organization whose numbers are British.
    [InlineData("2079460958", 44, "+442079460958", "The leading 0 is missing")]
    [InlineData("020 7946 0958", 44, "+442079460958", "The number has no country code: read as a number of +44")]
    // A US number typed without its country code, in an organization whose numbers are American.
    [InlineData("4155550100", 1, "+14155550100", "The number has no country code: read as a number of +1")]
    [InlineData("(415) 555-0100", 1, "+14155550100", "The number has no country code")]
    public void ANationalNumberIsReadInTheOrganizationsCountryAndTheReasonNamesIt(string damaged, int home, string repaired, string reason)
    {
        foreach (var column in SpreadsheetDamage.PhoneColumns)
        {
            var repair = SpreadsheetDamage.Inspect(4, column, damaged, home);

            Assert.NotNull(repair);
            Assert.Equal((repaired, damaged), (repair.Proposed, repair.Original));
            Assert.Contains(reason, repair.Reason);
            Assert.Contains("the country code of most of this organization's numbers", repair.Reason);
        }
    }

    [Theory]
    [InlineData("14155550100", 44, "+14155550100")] // valid with its own +1: a lost "+", not a British number
    [InlineData("442079460958", 44, "+442079460958")]
    public void ALostPlusStaysTheProposalWhenItIsANumberOfItsOwnCountry(string damaged, int home, string repaired)
    {
        var repair = SpreadsheetDamage.Inspect(4, CsvColumn.MultiLineNumber, damaged, home);

        Assert.Equal(repaired, repair?.Proposed);
        Assert.Contains("The leading + (or 00) is missing", repair!.Reason);
    }

    [Fact]
    public void ANationalNumberThatIsNotValidInTheOrganizationsCountryIsNotProposed()
    {
        Assert.Null(SpreadsheetDamage.Inspect(4, CsvColumn.Username, "12345", 44));
        Assert.Null(SpreadsheetDamage.Inspect(4, CsvColumn.Username, "0000000000", 1));
    }

    [Theory]
    [InlineData("14,155,550,100")]
    [InlineData("14.155.550.100")]
    [InlineData("14\u00A0155\u00A0550\u00A0100")]
    public void DigitsGroupedInThousandsAreProposedWithoutTheGrouping(string damaged)
    {
        var repair = SpreadsheetDamage.Inspect(6, CsvColumn.ForwardingNumber, damaged);

        Assert.Equal("+14155550100", repair?.Proposed);
        Assert.Contains("grouped the digits in thousands", repair!.Reason);
    }

    [Fact]
    public void TheOrganizationsCountryIsTheCallingCodeMostOfItsNumbersHave()
    {
        Assert.Equal(44, SpreadsheetDamage.HomeCountry(["+442079460958", "+14155550100", "+442079460959"]));
        Assert.Null(SpreadsheetDamage.HomeCountry([]));
    }

    [Fact]
    public async Task TheCheckReadsANationalNumberInTheCountryOfTheOrganizationsNumbers()
    {
        _world.AddNumber(_world.Acme, "+442079460900");
        _world.AddNumber(_world.Root, "+442079460901");
        _world.AddNumber(_world.Other, "+14155550199"); // another organization's numbers do not count
        _world.AddNumber(_world.Other, "+14155550198");
        _world.AddNumber(_world.Other, "+14155550197");
        var csv = Lines(Header, Row("2079460958"), Row("b@example.com", forwarding: "020 7946 0959"));

        var result = await _world.ValidateAsync(csv);

        Assert.Equal([(2, CsvColumn.Username, "+442079460958"), (3, CsvColumn.ForwardingNumber, "+442079460959")],
            result.Repairs.Select(r => (r.Row, r.Column, r.Proposed)));
        Assert.Equal(0, result.Counts.Valid); // proposed, not applied
    }

    [Fact]
    public async Task APhoneUsernameIsNotProposedWhereTheOrganizationTakesOnlyEmailAddresses()
    {
        // Vault uses SMTP data offload: "+14155550100" would only trade "no country code" for "must be an email address".
        var vaultGroup = _world.AddGroup(_world.Vault, "Vault users", MultiLine.Core.Organizations.Features.VoiceCalling, isDefault: true);
        var csv = Lines(Header, Row("14155550100"), Row("b@example.com", forwarding: "14155550101"));

        var result = await _world.ValidateAsync(csv, _world.Target(_world.Vault, vaultGroup, new MultiLine.Core.Admins.AdminScope(1, _world.Vault.Path, MultiLine.Core.Admins.Privileges.All)));

        Assert.Empty(result.Rows[0].Repairs);
        Assert.Equal([(3, CsvColumn.ForwardingNumber, "+14155550101")], result.Repairs.Select(r => (r.Row, r.Column, r.Proposed)));
    }
}
