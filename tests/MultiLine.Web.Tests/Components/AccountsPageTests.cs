using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
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
        var firstPageFirstUsername = Rows(page)[0].QuerySelectorAll("td")[2].TextContent;

        // The grid may still re-render after its first rows (the total arrives with them): click the button as it is then.
        page.WaitForAssertion(() => page.Find("button[aria-label='Next page']").Click());

        page.WaitForAssertion(() => Assert.Contains($"26-50 of {TotalAccounts()}", Pager(page)));
        // The pager and the rows render in separate passes: wait for the rows too.
        page.WaitForAssertion(() => Assert.DoesNotContain(Rows(page), r => r.QuerySelectorAll("td")[2].TextContent == firstPageFirstUsername));
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
            Assert.Equal(target.Username, rows[0].QuerySelectorAll("td")[2].TextContent);
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
            Assert.All(Rows(page), r => Assert.Equal("Acme Sales", r.QuerySelectorAll("td")[3].TextContent));
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
            Assert.All(Rows(page), r => Assert.Equal("Invitation failed", r.QuerySelectorAll("td")[4].TextContent.Trim()));
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

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
