using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MultiLine.Web.Organizations;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

/// <summary>The organization tree, permission groups and inherited settings pages on their own demo database.</summary>
public sealed class OrganizationPagesTests(PortalFixture portal) : IClassFixture<PortalFixture>, IAsyncDisposable
{
    private readonly BunitContext _context = Create(portal);
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static BunitContext Create(PortalFixture portal)
    {
        var context = PortalTestContext.Create(portal.Factory);
        context.SetRendererInfo(new RendererInfo("Server", true));
        context.Render<MudPopoverProvider>();
        return context;
    }

    private async Task<int> IdOfAsync(string name)
    {
        await using var db = portal.Factory.CreateDbContext();
        return (await db.Organizations.SingleAsync(o => o.Name == name, Ct)).Id;
    }

    private IRenderedComponent<OrganizationsPage> RenderTree()
    {
        var page = _context.Render<OrganizationsPage>();
        page.WaitForAssertion(() => Assert.Contains("Support EMEA", page.Find("[data-testid=organization-tree]").TextContent));
        return page;
    }

    private static AngleSharp.Dom.IElement Button(IRenderedComponent<OrganizationsPage> page, string label) =>
        page.FindAll("button").Single(b => b.GetAttribute("aria-label") == label);

    [Fact]
    public void DeleteIsDisabledWithTheReasonWhileTheOrganizationHoldsAccountsAndNumbers()
    {
        var page = RenderTree();

        Assert.True(Button(page, "Delete Acme Corp").HasAttribute("disabled"));
        var tooltip = page.FindComponents<MudTooltip>().Select(t => t.Instance.Text ?? "").First(t => t.StartsWith("Holds ") && t.Contains("(in Acme Corp and its sub-organizations)"));
        Assert.Contains(" accounts", tooltip);
        Assert.Contains(" numbers", tooltip);
    }

    [Fact]
    public async Task AnAdminAddsASubOrganizationThenRenamesIt()
    {
        var page = RenderTree();

        page.ClickOn(() => Button(page, "Add under Health Monitor"));
        page.WaitForAssertion(() => page.Find("input[data-testid=new-organization-name], [data-testid=new-organization-name] input").Change("Health Pilots"));
        page.ClickOn(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Add"));

        page.WaitForAssertion(() => Assert.Contains("Health Pilots", page.Find("[data-testid=organization-tree]").TextContent));
        Assert.False(Button(page, "Delete Health Pilots").HasAttribute("disabled"));

        page.ClickOn(() => Button(page, "Rename Health Pilots"));
        page.WaitForAssertion(() => page.FindAll("input").Single(i => i.GetAttribute("value") == "Health Pilots").Change("Acme Sales"));
        page.ClickOn(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Save"));
        page.WaitForAssertion(() => Assert.Contains("An organization named \"Acme Sales\" already exists", page.Find("[data-testid=organization-error]").TextContent));

        page.WaitForAssertion(() => page.FindAll("input").Single(i => i.GetAttribute("value") == "Acme Sales").Change("Health Trials"));
        page.ClickOn(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Save"));
        page.WaitForAssertion(() => Assert.Contains("Health Trials", page.Find("[data-testid=organization-tree]").TextContent));
        await using var db = portal.Factory.CreateDbContext();
        var created = await db.Organizations.SingleAsync(o => o.Name == "Health Trials", Ct);
        Assert.Equal($"/{await IdOfAsync("Health Monitor")}/{created.Id}/", created.Path);
    }

    [Fact]
    public async Task AnInheritedGroupSaysWhereToEditItAndANewGroupAppears()
    {
        var sales = await IdOfAsync("Acme Sales");
        _context.Services.GetRequiredService<NavigationManager>().NavigateTo($"permission-groups?organization={sales}");
        var page = _context.Render<PermissionGroupsPage>();
        page.WaitForAssertion(() => Assert.Contains("Standard", page.Find("[data-testid=permission-groups]").TextContent));

        Assert.Contains("Defined in Acme Corp — edit it there.", page.Find("[data-testid=permission-groups]").TextContent);
        Assert.True(page.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Edit Standard").HasAttribute("disabled"));

        // Each step finds its element again inside WaitForAssertion: typing re-renders the form, which renews its handlers.
        page.WaitForAssertion(() => page.Find("input[data-testid=group-name], [data-testid=group-name] input").Change("Sales trial"));
        page.ClickOn(() => page.FindAll("button").Single(b => b.TextContent.Trim() == "Add group"));

        page.WaitForAssertion(() => Assert.Contains("Sales trial", page.Find("[data-testid=permission-groups]").TextContent));
        Assert.False(page.FindAll("button").Single(b => b.GetAttribute("aria-label") == "Edit Sales trial").HasAttribute("disabled"));
        await using var db = portal.Factory.CreateDbContext();
        Assert.True(await db.PermissionGroups.AnyAsync(g => g.Name == "Sales trial" && g.OrganizationId == sales, Ct));
    }

    [Fact]
    public async Task ASettingResetToInheritedSaysWhereItComesFrom()
    {
        var emea = await IdOfAsync("Support EMEA");
        var panel = _context.Render<OrganizationSettingsPanel>(p => p.Add(c => c.OrganizationId, emea));
        panel.WaitForAssertion(() => Assert.Contains("Set here", panel.Find("[data-testid=social-source]").TextContent));

        panel.ClickOn(() => panel.Find("[data-testid=social-source] button"));
        panel.ClickOn(() => panel.FindAll("button").Single(b => b.TextContent.Contains("Save settings")));

        panel.WaitForAssertion(() => Assert.Contains("Inherited from Acme Support", panel.Find("[data-testid=social-source]").TextContent + string.Join(" ", panel.FindAll(".mud-alert").Select(a => a.TextContent))));
        await using var db = portal.Factory.CreateDbContext();
        Assert.True((await db.Organizations.SingleAsync(o => o.Id == emea, Ct)).InheritsSocialMessaging);
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
