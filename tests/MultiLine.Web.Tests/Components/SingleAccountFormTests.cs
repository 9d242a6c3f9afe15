using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using MultiLine.Core.Accounts;
using MultiLine.Core.Invitations;
using MultiLine.Web.Accounts;
using MultiLine.Web.Organizations;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>The Single Account tab: errors next to the fields, every time, and what the admin is told after saving.</summary>
public sealed class SingleAccountFormTests(PortalFixture portal) : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly BunitContext _context = PortalTestContext.Create(portal.Factory);
    private static CancellationToken Cancel => Xunit.TestContext.Current.CancellationToken;

    private async Task ChooseOrganizationAsync(IRenderedComponent<IComponent> root, string name)
    {
        await using var db = portal.Factory.CreateDbContext();
        var id = await db.Organizations.Where(o => o.Name == name).Select(o => o.Id).SingleAsync(Cancel);
        var select = root.FindComponent<OrganizationSelect>();
        await root.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(id));
        root.WaitForAssertion(() => Assert.False(SaveButton(root).HasAttribute("disabled")));
    }

    private static IElement UsernameInput(IRenderedComponent<IComponent> root) =>
        root.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Email address or device").Find("input");

    private static string? UsernameError(IRenderedComponent<IComponent> root) =>
        root.FindComponents<MudTextField<string>>().Single(f => f.Instance.Label == "Email address or device")
            .FindAll(".mud-input-helper-text.mud-input-error").SingleOrDefault()?.TextContent.Trim();

    private static IElement SaveButton(IRenderedComponent<IComponent> root) => root.FindAll("button").Single(b => b.TextContent.Trim() == "Save");

    [Fact]
    public async Task EverySaveShowsItsOwnUsernameErrorAndSaveWorksOnceTheUsernameIsFixed()
    {
        await using (var db = portal.Factory.CreateDbContext())
        {
            var taken = await db.Accounts.Where(a => a.Organization!.Name == "Acme Sales" && a.NormalizedUsername.Contains("@"))
                .Select(a => a.Username).FirstAsync(Cancel);
            SingleAccountResult? saved = null;
            var form = _context.Render<SingleAccountForm>(p => p.Add(c => c.Saved, r => saved = r));
            var root = form;
            await ChooseOrganizationAsync(root, "Acme Sales");

            UsernameInput(root).Change("not-an-email@");
            // The username check may still be re-rendering the form: click the button as it is once it settles.
            form.ClickOn(() => SaveButton(root));
            form.WaitForAssertion(() => Assert.Equal("\"not-an-email@\" is not a valid email address.", UsernameError(root)));

            UsernameInput(root).Change(taken);
            form.ClickOn(() => SaveButton(root));
            form.WaitForAssertion(() => Assert.Equal($"\"{taken}\" already exists in organization Acme Sales.", UsernameError(root)));

            UsernameInput(root).Change("not-an-email@");
            form.ClickOn(() => SaveButton(root));
            form.WaitForAssertion(() => Assert.Equal("\"not-an-email@\" is not a valid email address.", UsernameError(root)));

            UsernameInput(root).Change("fixed.single@sales.acme.example");
            form.ClickOn(() => SaveButton(root));
            form.WaitForAssertion(() => Assert.NotNull(saved));
            Assert.Null(UsernameError(root));
        }
        await using var after = portal.Factory.CreateDbContext();
        Assert.True(await after.Accounts.AnyAsync(a => a.NormalizedUsername == "fixed.single@sales.acme.example", Cancel));
    }

    [Fact]
    public async Task SaveAndInviteThatAddsTheAccountButCannotInviteItWarnsInsteadOfCelebrating()
    {
        var snackbars = _context.Render<MudSnackbarProvider>();
        _context.Render<MudPopoverProvider>();
        var dialogs = _context.Render<MudDialogProvider>();
        var toolbar = _context.Render<AccountsToolbar>();
        toolbar.ClickOn(() => toolbar.FindAll("button").Single(b => b.TextContent.Trim() == "Add Account"));
        var root = dialogs;
        dialogs.WaitForAssertion(() => Assert.NotEmpty(dialogs.FindComponents<SingleAccountForm>()));
        await ChooseOrganizationAsync(root, "Acme Sales");

        UsernameInput(root).Change("+14155550987");
        dialogs.ClickOn(() => dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Save & Invite"));

        snackbars.WaitForAssertion(() =>
        {
            var snackbar = Assert.Single(snackbars.FindAll(".mud-snackbar"));
            Assert.Contains(InvitationRules.NeedsEmailAddress, snackbar.TextContent);
            Assert.Contains("mud-alert-filled-warning", snackbar.ClassName);
        });
        Assert.DoesNotContain("mud-alert-filled-success", snackbars.Markup);
        await using var db = portal.Factory.CreateDbContext();
        Assert.True(await db.Accounts.AnyAsync(a => a.NormalizedUsername == "+14155550987", Cancel));
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
