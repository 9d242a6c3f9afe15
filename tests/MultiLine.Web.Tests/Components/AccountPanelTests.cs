using Bunit;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Numbers;
using MultiLine.Web.Accounts;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>The account panel: every field and its history, and the Edit, Suspend/Unsuspend and Delete dialogs.</summary>
public sealed class AccountPanelTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static CancellationToken Cancel => Xunit.TestContext.Current.CancellationToken;

    /// <summary>A fresh account of Acme Sales, with its own number, so each test owns what it changes.</summary>
    private async Task<(int Id, string Username, string Number)> AddAccountAsync(AccountStatus status = AccountStatus.Active)
    {
        await using var db = portal.Factory.CreateDbContext();
        var organization = await db.Organizations.SingleAsync(o => o.Name == "Acme Sales", Cancel);
        var group = await db.PermissionGroups.OrderBy(g => g.Id).FirstAsync(Cancel);
        var unique = Guid.NewGuid().ToString("N")[..8];
        var account = new Account
        {
            Username = $"panel-{unique}@acme.example", NormalizedUsername = $"panel-{unique}@acme.example", FirstName = "Pat", LastName = "Panel",
            OrganizationId = organization.Id, PermissionGroupId = group.Id, Status = status, CreatedAtUtc = DateTime.UtcNow,
        };
        db.Accounts.Add(account);
        await db.SaveChangesAsync(Cancel);
        var number = "+1999" + Random.Shared.Next(1_000_000, 9_999_999);
        db.Numbers.Add(new MultiLineNumber { E164 = number, OrganizationId = organization.Id, AccountId = account.Id, State = status == AccountStatus.Active ? NumberState.Registered : NumberState.Assigned });
        await db.SaveChangesAsync(Cancel);
        return (account.Id, account.Username, number);
    }

    private static IRenderedComponent<MudDialogProvider> Open(BunitContext context, int id, out IRenderedComponent<AccountPage> page)
    {
        var dialogs = context.Render<MudDialogProvider>();
        context.Render<MudPopoverProvider>();
        page = context.Render<AccountPage>(p => p.Add(a => a.AccountId, id));
        return dialogs;
    }

    private static void Click<T>(IRenderedComponent<T> root, string text) where T : Microsoft.AspNetCore.Components.IComponent =>
        root.ClickOn(() => root.FindAll("button").First(b => b.TextContent.Trim() == text && !b.HasAttribute("disabled")));

    [Fact]
    public async Task ThePanelShowsEveryFieldTheNumberAndTheHistory()
    {
        var (id, username, number) = await AddAccountAsync();
        await using var context = PortalTestContext.Create(portal.Factory);

        Open(context, id, out var page);

        page.WaitForAssertion(() => Assert.Contains(username, page.Markup, StringComparison.Ordinal));
        Assert.Contains($"{number} (registered to an active account)", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Acme Sales", page.Markup, StringComparison.Ordinal);
        Assert.Contains("Added", page.Find("[data-field='Added']").TextContent, StringComparison.Ordinal);
        Assert.Contains("No invitation was sent to this account.", page.Markup, StringComparison.Ordinal);
        Assert.Contains(page.FindAll("button"), b => b.TextContent.Trim() == "Suspend");
    }

    [Fact]
    public async Task SuspendAndUnsuspendAskFirstAndTheActivityShowsBoth()
    {
        var (id, _, _) = await AddAccountAsync();
        await using var context = PortalTestContext.Create(portal.Factory);
        var dialogs = Open(context, id, out var page);

        Click(page, "Suspend");
        dialogs.WaitForAssertion(() => Assert.Contains("keeps its number", dialogs.Markup, StringComparison.Ordinal));
        Click(dialogs, "Suspend");
        page.WaitForAssertion(() => Assert.Contains("Suspended (was Active)", page.Find("[data-field='Status']").TextContent, StringComparison.Ordinal));
        Click(page, "Unsuspend");
        dialogs.WaitForAssertion(() => Assert.Contains("returns to Active", dialogs.Markup, StringComparison.Ordinal));
        Click(dialogs, "Unsuspend");

        page.WaitForAssertion(() => Assert.Contains("Active", page.Find("[data-field='Status']").TextContent, StringComparison.Ordinal));
        page.WaitForAssertion(() => Assert.Contains("Status: Suspended → Active", page.Markup, StringComparison.Ordinal));
        Assert.Contains("Status: Active → Suspended", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEditDialogShowsTheValidatorsMessagesAndSavesOnceFixed()
    {
        var (id, _, _) = await AddAccountAsync(AccountStatus.NotInvited);
        await using var context = PortalTestContext.Create(portal.Factory);
        var dialogs = Open(context, id, out var page);

        Click(page, "Edit");
        dialogs.WaitForAssertion(() => dialogs.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Forwarding number").Find("input").Change("abc"));
        Click(dialogs, "Save");
        dialogs.WaitForAssertion(() => Assert.Contains("forwarding_number: \"abc\" is not a phone number", dialogs.Find("[data-problem]").TextContent, StringComparison.Ordinal));
        dialogs.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Forwarding number").Find("input").Change("");
        dialogs.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "First name").Find("input").Change("Patricia");
        Click(dialogs, "Save");

        page.WaitForAssertion(() => Assert.Contains("Patricia", page.Find("[data-field='First name']").TextContent, StringComparison.Ordinal));
        page.WaitForAssertion(() => Assert.Contains("First name: Pat → Patricia", page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheDeleteDialogKeepsTheNumberReservedOnlyWithATag()
    {
        var (id, _, number) = await AddAccountAsync();
        await using var context = PortalTestContext.Create(portal.Factory);
        var dialogs = Open(context, id, out var page);

        Click(page, "Delete");
        dialogs.WaitForAssertion(() => Assert.Contains($"What becomes of {number}?", dialogs.Markup, StringComparison.Ordinal));
        var radios = dialogs.FindComponents<MudRadioGroup<NumberDisposition>>().Single();
        await dialogs.InvokeAsync(() => radios.Instance.ValueChanged.InvokeAsync(NumberDisposition.Reserve));
        dialogs.WaitForAssertion(() => Assert.True(dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete account").HasAttribute("disabled")));
        dialogs.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Tag").Find("input").Input("ported");
        Click(dialogs, "Delete account");

        await using var db = portal.Factory.CreateDbContext();
        await WaitAsync(async () => !await db.Accounts.AnyAsync(a => a.Id == id, Cancel));
        var kept = await db.Numbers.AsNoTracking().SingleAsync(n => n.E164 == number, Cancel);
        Assert.Equal((NumberState.Reserved, "PORTED", (int?)null), (kept.State, kept.ReservationTag, kept.AccountId));
    }

    [Fact]
    public async Task AReportsOnlyAdminSeesTheActionsDisabledWithTheReason()
    {
        var (id, username, _) = await AddAccountAsync();
        await using var context = PortalTestContext.Create(portal.Factory, new AdminScope(1, null, Privileges.Reports));

        Open(context, id, out var page);

        page.WaitForAssertion(() => Assert.Contains(username, page.Markup, StringComparison.Ordinal));
        Assert.All(page.FindAll("button").Where(b => b.TextContent.Trim() is "Edit" or "Suspend" or "Delete"), b => Assert.True(b.HasAttribute("disabled")));
        Assert.Equal(["Delete needs the Accounts privilege.", "Edit needs the Accounts privilege.", "Suspend needs the Accounts privilege."],
            page.FindComponents<MudTooltip>().Select(t => t.Instance.Text).Order());
    }

    [Fact]
    public async Task AnAccountOutsideTheScopeIsNotFound()
    {
        var (id, username, _) = await AddAccountAsync();
        await using var db = portal.Factory.CreateDbContext();
        var elsewhere = await db.Organizations.Where(o => o.Name == "Health Monitor").Select(o => o.Path).SingleAsync(Cancel);
        await using var context = PortalTestContext.Create(portal.Factory, new AdminScope(1, elsewhere, Privileges.All));

        Open(context, id, out var page);

        page.WaitForAssertion(() => Assert.Contains("Account not found", page.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain(username, page.Markup, StringComparison.Ordinal);
    }

    private static async Task WaitAsync(Func<Task<bool>> done)
    {
        for (var i = 0; i < 100 && !await done(); i++)
            await Task.Delay(100, Cancel);
        Assert.True(await done());
    }
}
