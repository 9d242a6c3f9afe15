using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using MultiLine.Core.Accounts;
using MultiLine.Web.Accounts;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

[Collection(InvitationsCollection.Name)]
public sealed class InviteButtonTests(PortalFixture portal) : IAsyncDisposable
{
    private readonly BunitContext _context = PortalTestContext.Create(portal.Factory);

    [Fact]
    public async Task SendingAnInvitationFromTheAccountsTableMarksTheAccountInvited()
    {
        await using var db = portal.Factory.CreateDbContext();
        var account = await db.Accounts.OrderBy(a => a.Id)
            .FirstAsync(a => a.Status == AccountStatus.NotInvited && a.Organization!.Name == "Acme Corp" && a.NormalizedUsername.Contains("@") && a.Number != null, Xunit.TestContext.Current.CancellationToken);
        _context.Render<MudSnackbarProvider>();
        var page = _context.Render<AccountsPage>();
        await SearchAsync(page, account.Username);
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tbody tr.mud-table-row")), TimeSpan.FromSeconds(15));

        page.ClickOn(() => page.Find($"button[aria-label='Send invitation to {account.Username}']"));

        page.WaitForAssertion(() => Assert.Equal("Invited", page.Find("tbody tr.mud-table-row td[data-label=Status]").TextContent.Trim()), TimeSpan.FromSeconds(15));
        await using var after = portal.Factory.CreateDbContext();
        Assert.Equal(1, await after.Invitations.CountAsync(i => i.AccountId == account.Id, Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task PhoneNumberAccountShowsWhyItsInvitationFailed()
    {
        await using var db = portal.Factory.CreateDbContext();
        var account = await db.Accounts.OrderBy(a => a.Id)
            .FirstAsync(a => AccountStatuses.Pending.Contains(a.Status) && a.NormalizedUsername.StartsWith("+"), Xunit.TestContext.Current.CancellationToken);
        var snackbars = _context.Render<MudSnackbarProvider>();
        var page = _context.Render<AccountsPage>();
        await SearchAsync(page, account.Username);
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tbody tr.mud-table-row")), TimeSpan.FromSeconds(15));

        page.ClickOn(() => page.Find($"button[aria-label$='invitation to {account.Username}']"));

        page.WaitForAssertion(() => Assert.Equal("Invitation failed", page.Find("tbody tr.mud-table-row td[data-label=Status]").TextContent.Trim()), TimeSpan.FromSeconds(15));
        snackbars.WaitForAssertion(() => Assert.Contains("this account needs an email address", snackbars.Markup));
    }

    // Sets the search text the way the debounced field reports it, without waiting on its timer.
    private static async Task SearchAsync(IRenderedComponent<AccountsPage> page, string text)
    {
        var search = page.FindComponents<MudTextField<string>>().First(f => f.Instance.Placeholder == "Name, username or number");
        await page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync(text));
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
