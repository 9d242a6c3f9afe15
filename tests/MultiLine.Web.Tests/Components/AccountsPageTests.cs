using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Extensions;
using MultiLine.Core.Accounts;
using MultiLine.Tests;
using MultiLine.Web.Accounts;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

public sealed class AccountsPageTests(PortalFixture portal) : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly BunitContext _context = PortalTestContext.Create(portal.Factory);
    private IRenderedComponent<MudPopoverProvider> _popovers = default!;

    private IRenderedComponent<AccountsPage> RenderPage()
    {
        _popovers = _context.Render<MudPopoverProvider>();
        var page = _context.Render<AccountsPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(Rows(page)));
        return page;
    }

    private NavigationManager Navigation => _context.Services.GetRequiredService<NavigationManager>();

    private IRenderedComponent<AccountsPage> RenderAt(string address)
    {
        Navigation.NavigateTo(address);
        return RenderPage();
    }

    private Dictionary<string, string> AddressQuery() =>
        QueryHelpers.ParseQuery(new Uri(Navigation.Uri).Query).ToDictionary(p => p.Key, p => p.Value.ToString());

    /// <summary>A column's values by its title (the grid writes it on every cell, for the phone's cards).</summary>
    private static List<string> Column(IRenderedComponent<AccountsPage> page, string title) =>
        Rows(page).Select(r => Cell(r, title).TextContent.Trim()).ToList();

    private static IElement Cell(IElement row, string title) => row.QuerySelector($"td[data-label='{title}']")!;

    /// <summary>The username under the name in the Account column.</summary>
    private static string Username(IElement row) => row.QuerySelector(".ml-account-username")!.TextContent.Trim();

    private static string Pager(IRenderedComponent<AccountsPage> page) =>
        string.Join(" ", page.FindAll(".mud-table-pagination-caption").Select(e => e.TextContent));

    private static IReadOnlyList<IElement> Rows(IRenderedComponent<AccountsPage> page) =>
        page.FindAll("tbody tr.mud-table-row").ToList();

    private int TotalAccounts()
    {
        using var db = portal.Factory.CreateDbContext();
        return db.Accounts.Count();
    }

    [Fact]
    public void FirstPageShowsTwentyFiveAccountsAndTheTotal()
    {
        var page = RenderPage();

        Assert.Equal(25, Rows(page).Count);
        page.WaitForAssertion(() => Assert.Contains($"1-25 of {TotalAccounts()}", Pager(page)));
    }

    [Fact]
    public void NextPageShowsTheFollowingAccounts()
    {
        var page = RenderPage();
        var firstPageFirstUsername = Username(Rows(page)[0]);

        // The grid may still re-render after its first rows (the total arrives with them): click the button as it is then.
        page.ClickOn(() => page.Find("button[aria-label='Next page']"));

        page.WaitForAssertion(() => Assert.Contains($"26-50 of {TotalAccounts()}", Pager(page)));
        // The pager and the rows render in separate passes: wait for the rows too.
        page.WaitForAssertion(() => Assert.DoesNotContain(Rows(page), r => Username(r) == firstPageFirstUsername));
    }

    [Fact]
    public async Task SearchNarrowsTheTableToMatchingAccounts()
    {
        await using var db = portal.Factory.CreateDbContext();
        var target = await db.Accounts.Where(a => a.Username.Contains("@")).OrderBy(a => a.Id).Skip(7).FirstAsync(Xunit.TestContext.Current.CancellationToken);
        var page = RenderPage();

        // Through the field's ValueChanged, as the other filter tests do: under heavy machine load the 300 ms debounce
        // timer raced the grid's re-renders and the typed text was lost before it fired.
        var search = page.FindComponents<MudTextField<string>>().First(f => f.Instance.Placeholder == "Name, username or number");
        await page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync(target.Username));

        page.WaitForAssertion(() =>
        {
            var rows = Rows(page);
            Assert.Single(rows);
            Assert.Equal(target.Username, Username(rows[0]));
        }, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task OrganizationFilterShowsOnlyThatOrganization()
    {
        var page = RenderPage();
        await using var db = portal.Factory.CreateDbContext();
        var sales = await db.Organizations.SingleAsync(o => o.Name == "Acme Sales", Xunit.TestContext.Current.CancellationToken);
        var expected = await db.Accounts.CountAsync(a => a.OrganizationId == sales.Id, Xunit.TestContext.Current.CancellationToken);

        var select = page.FindComponent<MultiLine.Web.Organizations.OrganizationSelect>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(sales.Id));

        page.WaitForAssertion(() =>
        {
            Assert.All(Column(page, "Organization"), name => Assert.Equal("Acme Sales", name));
            Assert.Contains($"of {expected}", Pager(page));
        });
    }

    [Fact]
    public async Task StatusFilterShowsOnlyAccountsInThatStatus()
    {
        var page = RenderPage();
        var select = page.FindComponent<MudSelect<AccountStatus?>>();

        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(AccountStatus.InvitationFailed));

        page.WaitForAssertion(() =>
        {
            Assert.NotEmpty(Rows(page));
            Assert.All(Column(page, "Status"), status => Assert.Equal("Invitation failed", status));
        });
    }

    [Fact]
    public void SelectingRowsShowsHowManyAreSelected()
    {
        var page = RenderPage();

        Rows(page)[0].QuerySelector("input[type=checkbox]")!.Change(true);
        page.WaitForAssertion(() => Assert.Contains("1 selected", page.Markup));
        Rows(page)[1].QuerySelector("input[type=checkbox]")!.Change(true);

        page.WaitForAssertion(() => Assert.Contains("2 selected", page.Markup));
    }

    [Fact]
    public void MoveIsDisabledUntilAccountsAreSelectedAndSaysSo()
    {
        var page = RenderPage();

        var move = page.FindAll("button").Single(b => b.TextContent.Contains("Move"));
        Assert.True(move.HasAttribute("disabled"));
        move.Closest(".mud-tooltip-root")!.PointerEnter();
        _popovers.WaitForAssertion(() => Assert.Contains("Select the pending accounts to move.", _popovers.Markup));

        Rows(page)[0].QuerySelector("input[type=checkbox]")!.Change(true);

        page.WaitForAssertion(() => Assert.False(page.FindAll("button").Single(b => b.TextContent.Contains("Move")).HasAttribute("disabled")));
    }

    [Fact]
    public async Task AnAddressWithFiltersShowsThoseAccountsSortedAndTheControlsShowTheFilters()
    {
        await using var db = portal.Factory.CreateDbContext();
        var support = await db.Organizations.SingleAsync(o => o.Name == "Acme Support", Xunit.TestContext.Current.CancellationToken);
        var expected = await db.Accounts
            .Where(a => a.OrganizationId == support.Id && a.Status == AccountStatus.Invited)
            .OrderByDescending(a => a.LastName).ThenByDescending(a => a.FirstName).ThenBy(a => a.Id)
            .Select(a => a.Username).ToListAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.NotEmpty(expected);

        var page = RenderAt($"accounts?status=Invited&org={support.Id}&sort=Name&desc=1");

        page.WaitForAssertion(() =>
        {
            Assert.Equal(expected.Take(25), Rows(page).Select(Username));
            Assert.Contains($"of {expected.Count}", Pager(page));
        });
        Assert.Equal(AccountStatus.Invited, page.FindComponent<MudSelect<AccountStatus?>>().Instance.GetState(x => x.Value));
        Assert.Equal(support.Id, page.FindComponent<MultiLine.Web.Organizations.OrganizationSelect>().Instance.Value);
        Assert.False(page.FindComponent<MudSwitch<bool>>().Instance.GetState(x => x.Value));
    }

    [Fact]
    public async Task AnAddressWithSearchTextAndAPageShowsThatPageOfTheMatches()
    {
        await using var db = portal.Factory.CreateDbContext();
        var total = await db.Accounts.CountAsync(a => a.Username.Contains("@"), Xunit.TestContext.Current.CancellationToken);
        Assert.True(total > 25);

        var page = RenderAt("accounts?q=%40&page=2");

        page.WaitForAssertion(() => Assert.Contains($"26-{Math.Min(50, total)} of {total}", Pager(page)));
        Assert.Equal("@", page.FindComponents<MudTextField<string>>().First(f => f.Instance.Placeholder == "Name, username or number").Instance.GetState(x => x.Value));
    }

    [Fact]
    public async Task ChangingAFilterPutsItInTheAddressKeepsTheSortAndStartsAgainOnTheFirstPage()
    {
        var page = RenderAt("accounts?sort=Organization&page=2");
        page.WaitForAssertion(() => Assert.Contains("26-50", Pager(page)));

        var select = page.FindComponent<MudSelect<AccountStatus?>>();
        await page.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(AccountStatus.InvitationFailed));

        page.WaitForAssertion(() =>
        {
            Assert.NotEmpty(Rows(page));
            Assert.All(Column(page, "Status"), status => Assert.Equal("Invitation failed", status));
            Assert.Contains("1-", Pager(page));
        });
        var query = AddressQuery();
        Assert.Equal("InvitationFailed", query["status"]);
        Assert.Equal("Organization", query["sort"]);
        Assert.False(query.ContainsKey("page"));
    }

    [Fact]
    public async Task TheOrganizationFilterTakesSubOrganizationsOnlyWhenSwitchedOn()
    {
        await using var db = portal.Factory.CreateDbContext();
        var support = await db.Organizations.SingleAsync(o => o.Name == "Acme Support", Xunit.TestContext.Current.CancellationToken);
        var own = await db.Accounts.CountAsync(a => a.OrganizationId == support.Id, Xunit.TestContext.Current.CancellationToken);
        var subtree = await db.Accounts.CountAsync(a => a.Organization!.Path.StartsWith(support.Path), Xunit.TestContext.Current.CancellationToken);
        Assert.True(subtree > own);
        var page = RenderAt($"accounts?org={support.Id}");
        page.WaitForAssertion(() => Assert.Contains($"of {own}", Pager(page)));

        var include = page.FindComponent<MudSwitch<bool>>();
        await page.InvokeAsync(() => include.Instance.ValueChanged.InvokeAsync(true));

        page.WaitForAssertion(() => Assert.Contains($"of {subtree}", Pager(page)));
        page.WaitForAssertion(() => Assert.Contains("Support EMEA", Column(page, "Organization")));
        Assert.Equal("1", AddressQuery()["sub"]);

        // A link without the switch, followed on the same page, leaves the sub-organizations out again.
        Navigation.NavigateTo($"accounts?org={support.Id}");
        page.WaitForAssertion(() => Assert.Contains($"of {own}", Pager(page)));
        page.WaitForAssertion(() => Assert.All(Column(page, "Organization"), name => Assert.Equal("Acme Support", name)));
        Assert.False(page.FindComponent<MudSwitch<bool>>().Instance.GetState(x => x.Value));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ThePermissionGroupColumnSorts(bool descending)
    {
        await using var db = portal.Factory.CreateDbContext();
        var groups = db.Accounts.Select(a => a.PermissionGroup!.Name);
        var first = await (descending ? groups.OrderByDescending(n => n) : groups.OrderBy(n => n)).FirstAsync(Xunit.TestContext.Current.CancellationToken);

        var page = RenderAt($"accounts?sort=PermissionGroup{(descending ? "&desc=1" : "")}");

        page.WaitForAssertion(() =>
        {
            var shown = Column(page, "Permission group");
            Assert.Equal(first, shown[0]);
            var ordered = descending ? shown.OrderByDescending(n => n, StringComparer.Ordinal) : shown.Order(StringComparer.Ordinal);
            Assert.Equal(ordered, shown);
        });
    }

    [Fact]
    public void SortingByPermissionGroupPutsTheSortInTheAddress()
    {
        var page = RenderPage();

        page.ClickOn(() => page.FindAll("th").First(th => th.TextContent.Contains("Permission group")).QuerySelector(".sortable-column-header")!);

        page.WaitForAssertion(() => Assert.Equal("PermissionGroup", AddressQuery().GetValueOrDefault("sort")));
    }

    [Fact]
    public async Task TheTableShowsTheColumnsAnAdminScansForWithTheNameOverTheUsername()
    {
        await using var db = portal.Factory.CreateDbContext();
        var page = RenderPage();

        var headers = page.FindAll("thead th").Select(th => th.TextContent.Trim()).Where(t => t.Length > 0).ToList();
        Assert.Equal(["Account", "Status", "MultiLine number", "Organization", "Permission group"], headers);
        var row = Rows(page)[0];
        var username = Username(row);
        var account = await db.Accounts.SingleAsync(a => a.Username == username, Xunit.TestContext.Current.CancellationToken);
        Assert.Equal($"{account.FirstName} {account.LastName}".Trim(), row.QuerySelector(".ml-account-name")!.TextContent.Trim());
    }

    [Fact]
    public void OrganizationAndPermissionGroupAreTheColumnsThatGiveWayOnNarrowerScreens()
    {
        var page = RenderPage();

        // The style sheet hides cells marked ml-wide-column between 600 and 1280 px; the phone's cards show them again.
        var wide = page.FindAll("thead th.ml-wide-column").Select(th => th.TextContent.Trim()).ToList();
        Assert.Equal(["Organization", "Permission group"], wide);
        Assert.All(Rows(page), row => Assert.Equal(["Organization", "Permission group"],
            row.QuerySelectorAll("td.ml-wide-column").Select(td => td.GetAttribute("data-label"))));
    }

    [Fact]
    public void AnOldLinkSortedByUsernameShowsTheAccountsUnsorted()
    {
        // Usernames no longer have a column of their own: the Account column sorts by name.
        var page = RenderAt("accounts?sort=Username&desc=1");

        page.WaitForAssertion(() => Assert.False(AddressQuery().ContainsKey("sort")));
        Assert.False(AddressQuery().ContainsKey("desc"));
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
