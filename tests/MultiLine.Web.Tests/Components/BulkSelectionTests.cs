using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MultiLine.Core.Accounts;
using MultiLine.Web.Accounts;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>"Select all N accounts matching this filter" and the confirmation every bulk action shows before it starts.</summary>
public sealed class BulkSelectionTests(PortalFixture portal) : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly BunitContext _context = PortalTestContext.Create(portal.Factory);

    private (IRenderedComponent<AccountsPage> Page, IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<MudPopoverProvider> Popovers) Render(string address)
    {
        var dialogs = _context.Render<MudDialogProvider>();
        var popovers = _context.Render<MudPopoverProvider>();
        _context.Services.GetRequiredService<NavigationManager>().NavigateTo(address);
        var page = _context.Render<AccountsPage>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("tbody tr.mud-table-row")));
        return (page, dialogs, popovers);
    }

    private async Task<int> CountAsync(AccountStatus status)
    {
        await using var db = portal.Factory.CreateDbContext();
        return await db.Accounts.CountAsync(a => a.Status == status, Xunit.TestContext.Current.CancellationToken);
    }

    private static void TickWholePage(IRenderedComponent<AccountsPage> page) =>
        page.WaitForAssertion(() => page.Find("thead input[type=checkbox]").Change(true));

    [Fact]
    public async Task TickingTheWholePageOffersEveryAccountMatchingTheFilterAndAWayBack()
    {
        // The status with the most accounts in the demo data, so the filter matches more than a page.
        await using var db = portal.Factory.CreateDbContext();
        var largest = await db.Accounts.GroupBy(a => a.Status).Select(g => new { Status = g.Key, Count = g.Count() })
            .OrderByDescending(g => g.Count).FirstAsync(Xunit.TestContext.Current.CancellationToken);
        var invited = largest.Count;
        Assert.True(invited > 25, "The demo data needs more accounts in one status than one page.");
        var (page, _, _) = Render($"accounts?status={largest.Status}");
        Assert.Empty(page.FindAll("[data-select-all]"));

        TickWholePage(page);
        page.WaitForAssertion(() => Assert.Contains("All 25 accounts on this page are selected.", page.Find("[data-select-all]").TextContent));
        page.WaitForAssertion(() => Assert.Contains($"Select all {invited:N0} accounts matching this filter", page.Find("[data-select-all-matching]").TextContent));

        page.ClickOn(() => page.Find("[data-select-all-matching]"));
        page.WaitForAssertion(() =>
        {
            Assert.Contains($"All {invited:N0} accounts matching this filter are selected.", page.Find("[data-select-all]").TextContent);
            Assert.Equal($"{invited:N0} selected", page.Find("[data-selected-count]").TextContent);
        });

        page.ClickOn(() => page.Find("[data-clear-selection]"));
        page.WaitForAssertion(() =>
        {
            Assert.Empty(page.FindAll("[data-select-all]"));
            Assert.Empty(page.FindAll("[data-selected-count]"));
        });
    }

    [Fact]
    public async Task ResendOnTheFilterSaysHowManyInvitationsGoOutAndThatTheFilterIsAppliedAgain()
    {
        var failed = await CountAsync(AccountStatus.InvitationFailed);
        var (page, dialogs, _) = Render("accounts?status=InvitationFailed");
        TickWholePage(page);
        if (failed > page.FindAll("tbody tr.mud-table-row").Count)
            page.ClickOn(() => page.Find("[data-select-all-matching]"));

        page.ClickOn(() => page.FindAll("button").Single(b => b.TextContent.Contains("Resend Invitation")));

        dialogs.WaitForAssertion(() =>
        {
            Assert.Contains($"{failed:N0} accounts", dialogs.Find("[data-bulk-count]").TextContent);
            Assert.StartsWith($"{failed:N0} invitations will be sent", dialogs.Find("[data-bulk-effect]").TextContent);
        });
        if (failed > 25)
            Assert.Equal("The filter is applied again when you confirm; accounts that match it then are included.", dialogs.Find("[data-filter-note]").TextContent.Trim());
        Assert.Equal("Resend", dialogs.Find("[data-confirm]").TextContent.Trim());
    }

    [Fact]
    public async Task DeleteOnTheFilterAsksWhatBecomesOfTheNumbersAndNeedsATagToKeepThemReserved()
    {
        await using var db = portal.Factory.CreateDbContext();
        var acme = await db.Organizations.SingleAsync(o => o.Name == "Acme Corp", Xunit.TestContext.Current.CancellationToken);
        var active = await db.Accounts.CountAsync(a => a.Organization!.Path.StartsWith(acme.Path), Xunit.TestContext.Current.CancellationToken);
        var (page, dialogs, popovers) = Render($"accounts?org={acme.Id}&sub=1");
        TickWholePage(page);
        page.ClickOn(() => page.Find("[data-select-all-matching]"));

        page.ClickOn(() => page.Find("[data-more-actions] button"));
        popovers.ClickOn(() => popovers.FindAll(".mud-menu-item").Single(i => i.TextContent.Contains("Delete")));

        dialogs.WaitForAssertion(() =>
        {
            Assert.Contains($"{active:N0} accounts match the filter", dialogs.Find("[data-bulk-count]").TextContent);
            Assert.Contains("will be deleted, with their invitations. This cannot be undone.", dialogs.Find("[data-bulk-effect]").TextContent);
            Assert.Contains("What becomes of their numbers?", dialogs.Markup);
            Assert.Contains("The filter is applied again when you confirm", dialogs.Find("[data-filter-note]").TextContent);
        });
        Assert.False(dialogs.Find("[data-confirm]").HasAttribute("disabled"));
        dialogs.ClickOn(() => dialogs.FindAll("input[type=radio]")[1]);
        dialogs.WaitForAssertion(() => Assert.True(dialogs.Find("[data-confirm]").HasAttribute("disabled")));
    }

    [Fact]
    public void ASelectionSpanningUnrelatedOrganizationTreesIsRefusedBeforeItStarts()
    {
        var (page, dialogs, popovers) = Render("accounts");
        TickWholePage(page);
        page.ClickOn(() => page.Find("[data-select-all-matching]"));

        page.ClickOn(() => page.Find("[data-more-actions] button"));
        popovers.ClickOn(() => popovers.FindAll(".mud-menu-item").Single(i => i.TextContent.Contains("Suspend") && !i.TextContent.Contains("Unsuspend")));

        dialogs.WaitForAssertion(() => Assert.StartsWith(MultiLine.Core.Batches.AccountBatchSubmission.UnrelatedOrganizations, dialogs.Find("[data-unrelated]").TextContent.Trim()));
        Assert.True(dialogs.Find("[data-confirm]").HasAttribute("disabled"));
    }

    [Fact]
    public void UntickingARowLeavesAllMatchingForTheRowsStillTicked()
    {
        var (page, _, _) = Render("accounts");
        TickWholePage(page);
        page.ClickOn(() => page.Find("[data-select-all-matching]"));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-clear-selection]")));

        page.FindAll("tbody tr.mud-table-row")[0].QuerySelector("input[type=checkbox]")!.Change(false);

        page.WaitForAssertion(() =>
        {
            Assert.Equal("24 selected", page.Find("[data-selected-count]").TextContent);
            Assert.Empty(page.FindAll("[data-select-all]"));
        });
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
