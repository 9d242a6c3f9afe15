using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MultiLine.Core.Admins;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Web.Admins;
using MultiLine.Tests;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>The Roles and Privileges page, the Administrators page and the public set-password page.</summary>
public sealed class AdministrationPagesTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static CancellationToken Cancel => Xunit.TestContext.Current.CancellationToken;
    private readonly string _unique = Guid.NewGuid().ToString("N")[..8];

    /// <summary>A context whose pages render as in a live circuit (the pages say so to browser tests).</summary>
    private static BunitContext Interactive(PortalFactory factory, AdminScope? scope = null)
    {
        var context = PortalTestContext.Create(factory, scope);
        context.SetRendererInfo(new RendererInfo("Server", true));
        return context;
    }

    private static void Click<T>(IRenderedComponent<T> root, string text) where T : IComponent =>
        root.ClickOn(() => root.FindAll("button").First(b => b.TextContent.Trim() == text && !b.HasAttribute("disabled")));

    /// <summary>The input of a text field marked with <paramref name="testId"/>, wherever MudBlazor puts the attribute.</summary>
    private static string Input(string testId) => $"input[data-testid={testId}], [data-testid={testId}] input";

    private static AngleSharp.Dom.IElement Row<T>(IRenderedComponent<T> page, string text) where T : IComponent =>
        page.FindAll("tbody tr.mud-table-row").Single(r => r.TextContent.Contains(text, StringComparison.Ordinal));

    /// <summary>The administrators listed, by email.</summary>
    private static List<string> Emails<T>(IRenderedComponent<T> page) where T : IComponent =>
        page.FindAll("tbody tr.mud-table-row .ml-cell-stack span").Select(s => s.TextContent.Trim()).ToList();

    private static AngleSharp.Dom.IElement AdminRow<T>(IRenderedComponent<T> page, string email) where T : IComponent =>
        page.FindAll("tbody tr.mud-table-row").Single(r => r.QuerySelector(".ml-cell-stack span")?.TextContent.Trim() == email);

    /// <summary>A role of the test's own, held by <paramref name="admins"/> new admins scoped to Acme Support.</summary>
    private async Task<(Role Role, List<Admin> Admins)> AddRoleAsync(Privileges privileges, int admins = 0)
    {
        await using var db = portal.Factory.CreateDbContext();
        var role = new Role { Name = $"Desk {_unique}", Privileges = privileges };
        db.Roles.Add(role);
        var support = await db.Organizations.SingleAsync(o => o.Name == "Acme Support", Cancel);
        var added = Enumerable.Range(1, admins).Select(i => new Admin
        {
            Email = $"desk{i}-{_unique}@acme.example", NormalizedEmail = $"DESK{i}-{_unique}@ACME.EXAMPLE", DisplayName = $"Desk {i} {_unique}",
            Role = role, ScopeOrganizationId = support.Id, PasswordHash = "x",
        }).ToList();
        db.Admins.AddRange(added);
        await db.SaveChangesAsync(Cancel);
        return (role, added);
    }

    [Fact]
    public async Task RolesListTheirPrivilegesInWordsAndARoleInUseCannotBeDeleted()
    {
        var (role, _) = await AddRoleAsync(Privileges.Numbers | Privileges.ApiUsers, admins: 3);
        await using var context = Interactive(portal.Factory);
        var popovers = context.Render<MudPopoverProvider>();

        var page = context.Render<RolesPage>();

        page.WaitForAssertion(() => Assert.Contains(role.Name, page.Markup, StringComparison.Ordinal));
        var row = Row(page, role.Name);
        Assert.Equal(["Numbers", "API Users"], row.QuerySelectorAll(".mud-chip").Select(c => c.TextContent.Trim()));
        Assert.Equal("3", row.QuerySelectorAll("td")[2].TextContent.Trim());
        var delete = row.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Delete");
        Assert.True(delete.HasAttribute("disabled"));
        delete.Closest(".mud-tooltip-root")!.PointerEnter();
        popovers.WaitForAssertion(() => Assert.Contains("Used by 3 administrators", popovers.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANewRoleIsCreatedWithTheCheckedPrivilegesAndCanBeDeletedWhileUnused()
    {
        await using var context = Interactive(portal.Factory);
        var dialogs = context.Render<MudDialogProvider>();
        context.Render<MudPopoverProvider>();
        var page = context.Render<RolesPage>();
        var name = $"Numbers desk {_unique}";

        Click(page, "New role");
        dialogs.WaitForAssertion(() => dialogs.Find(Input("role-name")).Input(name));
        dialogs.FindAll("label").Single(l => l.TextContent.Trim() == "Numbers").QuerySelector("input")!.Change(true);
        dialogs.FindAll("label").Single(l => l.TextContent.Trim() == "Reports").QuerySelector("input")!.Change(true);
        Click(dialogs, "Create role");

        page.WaitForAssertion(() => Assert.Contains(name, page.Markup, StringComparison.Ordinal));
        await using (var db = portal.Factory.CreateDbContext())
            Assert.Equal(Privileges.Numbers | Privileges.Reports, (await db.Roles.SingleAsync(r => r.Name == name, Cancel)).Privileges);

        page.ClickOn(() => Row(page, name).QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Delete"));
        Click(dialogs, "Delete role");
        page.WaitForAssertion(() => Assert.DoesNotContain(name, page.Markup, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheRoleDialogOffersOnlyThePrivilegesTheAdminHolds()
    {
        await using var context = Interactive(portal.Factory, new AdminScope(1, null, Privileges.Reports | Privileges.RolesAndPrivileges));

        var dialog = context.Render<MudDialogProvider>();
        await dialog.InvokeAsync(() => context.Services.GetRequiredService<IDialogService>().ShowAsync<RoleDialog>("New role",
            new DialogParameters<RoleDialog> { { d => d.CallerPrivileges, Privileges.Reports | Privileges.RolesAndPrivileges } }));

        dialog.WaitForAssertion(() => Assert.Contains("Numbers (you do not hold it)", dialog.Markup, StringComparison.Ordinal));
        var numbers = dialog.FindAll("label").Single(l => l.TextContent.Trim() == "Numbers (you do not hold it)").QuerySelector("input")!;
        var reports = dialog.FindAll("label").Single(l => l.TextContent.Trim() == "Reports").QuerySelector("input")!;
        Assert.True(numbers.HasAttribute("disabled"));
        Assert.False(reports.HasAttribute("disabled"));
    }

    [Fact]
    public async Task AScopedAdminSeesOnlyTheAdministratorsOfTheirSubtree()
    {
        var (_, desks) = await AddRoleAsync(Privileges.Reports, admins: 1);
        int supportAdmin;
        string supportPath;
        await using (var db = portal.Factory.CreateDbContext())
        {
            supportAdmin = await db.Admins.Where(a => a.DisplayName == "Support Admin").Select(a => a.Id).SingleAsync(Cancel);
            supportPath = await db.Organizations.Where(o => o.Name == "Acme Support").Select(o => o.Path).SingleAsync(Cancel);
        }
        await using var context = Interactive(portal.Factory, new AdminScope(supportAdmin, supportPath, Privileges.All & ~Privileges.RolesAndPrivileges));

        var page = context.Render<AdministratorsPage>();

        page.WaitForAssertion(() => Assert.Contains(desks[0].Email, page.Markup, StringComparison.Ordinal));
        Assert.Contains("Support Admin", page.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(PortalFactory.AdminEmail, Emails(page));
        Assert.DoesNotContain("All organizations", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddingAnAdministratorQueuesTheirInvitationAndListsThemAsInvited()
    {
        var (role, _) = await AddRoleAsync(Privileges.Reports);
        await using var context = Interactive(portal.Factory);
        var dialogs = context.Render<MudDialogProvider>();
        context.Render<MudPopoverProvider>();
        var page = context.Render<AdministratorsPage>();
        var email = $"sam-{_unique}@acme.example";

        Click(page, "Add administrator");
        dialogs.WaitForAssertion(() => dialogs.Find(Input("admin-name")).Input("Sam Support"));
        dialogs.Find(Input("admin-email")).Input(email);
        var roleSelect = dialogs.FindComponents<MudSelect<int?>>().First();
        await dialogs.InvokeAsync(() => roleSelect.Instance.ValueChanged.InvokeAsync(role.Id));
        Click(dialogs, "Send invitation");

        page.WaitForAssertion(() => Assert.Contains(email, page.Markup, StringComparison.Ordinal));
        var row = Row(page, email);
        Assert.Contains("Invited", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("All organizations", row.TextContent, StringComparison.Ordinal);
        Assert.Contains(row.QuerySelectorAll("button"), b => b.TextContent.Trim() == "Resend");
        await using var db = portal.Factory.CreateDbContext();
        var message = await db.EmailMessages.SingleAsync(m => m.ToAddress == email, Cancel);
        Assert.Equal(EmailKind.AdminInvitation, message.Kind);
        Assert.Contains("/admin/set-password?token=", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAdminCannotDisableThemselvesButCanDisableAnother()
    {
        var (_, desks) = await AddRoleAsync(Privileges.Reports, admins: 1);
        await using var context = Interactive(portal.Factory);
        var popovers = context.Render<MudPopoverProvider>();
        context.Render<MudDialogProvider>();
        var page = context.Render<AdministratorsPage>();

        page.WaitForAssertion(() => Assert.Contains(PortalFactory.AdminEmail, Emails(page)));
        var own = AdminRow(page, PortalFactory.AdminEmail).QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Disable");
        Assert.True(own.HasAttribute("disabled"));
        own.Closest(".mud-tooltip-root")!.PointerEnter();
        popovers.WaitForAssertion(() => Assert.Contains(AdminRules.CannotDisableYourself, popovers.Markup, StringComparison.Ordinal));

        page.ClickOn(() => Row(page, desks[0].Email).QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Disable"));

        page.WaitForAssertion(() => Assert.Contains("Disabled", Row(page, desks[0].Email).TextContent, StringComparison.Ordinal));
        await using var db = portal.Factory.CreateDbContext();
        Assert.True((await db.Admins.SingleAsync(a => a.Id == desks[0].Id, Cancel)).IsDisabled);
    }

    [Fact]
    public async Task TheSetPasswordPageNamesTheAdminAndRefusesAnUnknownLink()
    {
        var (role, _) = await AddRoleAsync(Privileges.Reports);
        var email = $"pat-{_unique}@acme.example";
        await using (var db = portal.Factory.CreateDbContext().WithScope(PortalTestContext.SuperAdmin))
        {
            var invited = await portal.Factory.Services.GetRequiredService<AdministratorManagement>()
                .InviteAsync(db, new NewAdministrator("Pat Admin", email, role.Id, null), new(1, "Test admin", null, Core.Activity.ActivitySource.Portal), Cancel);
            Assert.True(invited.Succeeded, invited.Message);
        }
        string token;
        await using (var db = portal.Factory.CreateDbContext())
            token = Uri.UnescapeDataString((await db.EmailMessages.SingleAsync(m => m.ToAddress == email, Cancel)).TextBody.Split("token=")[1].Split('\n')[0].Trim());
        await using var context = Interactive(portal.Factory);
        var navigation = context.Services.GetRequiredService<NavigationManager>();

        navigation.NavigateTo("admin/set-password?token=not-a-real-token");
        var unknown = context.Render<SetPasswordPage>();
        unknown.WaitForAssertion(() => Assert.Contains(AdminPasswordSetup.NotFoundMessage, unknown.Markup, StringComparison.Ordinal));
        Assert.Empty(unknown.FindAll("input[type=password]"));

        navigation.NavigateTo($"admin/set-password?token={Uri.EscapeDataString(token)}");
        var page = context.Render<SetPasswordPage>();
        page.WaitForAssertion(() => Assert.Contains("Pat Admin", page.Markup, StringComparison.Ordinal));
        Assert.Equal(email, page.Find("[data-testid=set-password-email]").TextContent.Trim());
        page.Find(Input("password")).Input("correct horse battery");
        page.Find(Input("confirm-password")).Input("correct horse battrey");
        Click(page, "Set password");
        page.WaitForAssertion(() => Assert.Contains("The two passwords do not match.", page.Markup, StringComparison.Ordinal));
    }
}
