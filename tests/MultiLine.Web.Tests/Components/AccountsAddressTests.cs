using MultiLine.Core.Accounts;
using MultiLine.Web.Accounts;

namespace MultiLine.Web.Tests.Components;

public sealed class AccountsAddressTests
{
    [Fact]
    public void AnAddressReadsBackWhatItWrites()
    {
        var address = new AccountsAddress(new AccountSearch("müller", AccountStatus.Invited, 12, IncludeSubOrganizations: true), "Name", Descending: true, PageIndex: 1);
        var query = address.ToQuery();

        var read = AccountsAddress.Parse(
            (string?)query["q"], (string?)query["status"], query["org"]?.ToString(), (string?)query["sub"],
            (string?)query["sort"], (string?)query["desc"], query["page"]?.ToString());

        Assert.Equal(address, read);
        Assert.Equal(2, query["page"]);
    }

    [Fact]
    public void ValuesAHandEditedLinkGetsWrongAreIgnored()
    {
        var read = AccountsAddress.Parse("  ", "Deleted", "twelve", "yes", "PasswordHash", "1", "-3");

        Assert.Equal(new AccountsAddress(new AccountSearch()), read);
    }

    [Fact]
    public void DefaultsAreLeftOutOfTheAddress()
    {
        Assert.All(new AccountsAddress(new AccountSearch()).ToQuery().Values, Assert.Null);
    }
}
