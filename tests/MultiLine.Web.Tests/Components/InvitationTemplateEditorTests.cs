using Bunit;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Web.Organizations;
using MultiLine.Web.Tests.Integration;

namespace MultiLine.Web.Tests.Components;

[Collection(InvitationsCollection.Name)]
public sealed class InvitationTemplateEditorTests(PortalFixture portal) : IAsyncDisposable
{
    private readonly BunitContext _context = PortalTestContext.Create(portal.Factory);

    private async Task<IRenderedComponent<InvitationTemplateEditor>> RenderAsync(string organization)
    {
        await using var db = portal.Factory.CreateDbContext();
        var id = (await db.Organizations.SingleAsync(o => o.Name == organization, Xunit.TestContext.Current.CancellationToken)).Id;
        var editor = _context.Render<InvitationTemplateEditor>(p => p.Add(e => e.OrganizationId, id));
        editor.WaitForAssertion(() => Assert.Contains("Built-in text", editor.Find("[data-testid=template-origin]").TextContent));
        return editor;
    }

    [Fact]
    public async Task PreviewShowsTheTemplateFilledWithSampleDataAsTheAdminTypes()
    {
        var editor = await RenderAsync("Acme Sales");
        Assert.Equal("Your MultiLine business number is ready, Ava", editor.Find("[data-testid=preview-subject]").TextContent);

        editor.FindAll("input").First(i => i.GetAttribute("value")?.StartsWith("Your MultiLine") == true).Input("Welcome aboard, {f_name} {l_name}");

        editor.WaitForAssertion(() => Assert.Equal("Welcome aboard, Ava Rossi", editor.Find("[data-testid=preview-subject]").TextContent));
    }

    [Fact]
    public async Task TemplateWithoutActivationLinkCannotBeSaved()
    {
        var editor = await RenderAsync("Acme Sales");

        editor.FindAll("textarea")[1].Input("Hello {f_name}, welcome.");

        editor.WaitForAssertion(() => Assert.Contains("The plain-text part must contain {activation_link}", editor.Find("[data-testid=template-problem]").TextContent));
        var save = editor.FindAll("button").Single(b => b.TextContent.Contains("Save template"));
        Assert.True(save.HasAttribute("disabled"));
    }

    [Fact]
    public async Task SavingATemplateStoresItForThatLanguageAndRecordsTheChange()
    {
        var editor = await RenderAsync("Health Monitor");
        editor.FindAll("input").First(i => i.GetAttribute("value")?.StartsWith("Your MultiLine") == true).Input("Health Monitor invites you, {f_name}");

        editor.ClickOn(() => editor.FindAll("button").Single(b => b.TextContent.Contains("Save template")));

        editor.WaitForAssertion(() => Assert.Contains("Saved by Test admin", editor.Find("[data-testid=template-origin]").TextContent));
        await using var db = portal.Factory.CreateDbContext();
        var saved = await db.InvitationTemplates.SingleAsync(t => t.Organization!.Name == "Health Monitor", Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(Language.English, saved.Language);
        Assert.Equal("Health Monitor invites you, {f_name}", saved.Subject);
        Assert.True(await db.SettingsAudit.AnyAsync(a => a.Setting == "Invitation template (English)" && a.AdminName == "Test admin", Xunit.TestContext.Current.CancellationToken));
    }

    public ValueTask DisposeAsync() => _context.DisposeAsync();
}
