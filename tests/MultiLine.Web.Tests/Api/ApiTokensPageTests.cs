using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Admins;
using MultiLine.Core.Demo;
using MultiLine.Web.Api;
using MultiLine.Web.Tests.Components;

namespace MultiLine.Web.Tests.Api;

/// <summary>The API tokens page: a new token is shown once, listed by its prefix only, and can be revoked.</summary>
[Collection(ApiCollection.Name)]
public sealed class ApiTokensPageTests(ApiFixture api)
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private async Task<(BunitContext Context, ApiTokens Tokens)> ContextAsync()
    {
        await using var db = api.Factory.CreateDbContext();
        var admin = await db.Admins.Include(a => a.ScopeOrganization).SingleAsync(a => a.Email == DemoDataSeeder.ScopedAdminEmail, Ct);
        var context = PortalTestContext.Create(api.Factory, new AdminScope(admin.Id, admin.ScopeOrganization!.Path, Privileges.All));
        var tokens = api.Factory.Services.GetRequiredService<ApiTokens>();
        context.Services.AddSingleton(tokens);
        return (context, tokens);
    }

    /// <summary>The page once its token list has loaded: clicking before that would hit a button the next render replaces.</summary>
    private static IRenderedComponent<ApiTokensPage> RenderLoaded(BunitContext context)
    {
        var cut = context.Render<ApiTokensPage>();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-progress-linear")));
        return cut;
    }

    [Fact]
    public async Task CreatedTokenIsShownOnceAndWorksAndTheListShowsOnlyItsPrefix()
    {
        var (context, tokens) = await ContextAsync();
        await using var _ = context;
        var cut = RenderLoaded(context);

        cut.Find("input").Change("Payroll export");
        cut.ClickOn(() => cut.FindAll("button").Single(b => b.TextContent.Contains("Create token")));

        var secret = cut.WaitForElement("[data-testid=new-token]").TextContent;
        Assert.StartsWith(ApiTokens.SecretPrefix, secret);
        var check = await tokens.CheckAsync(secret, Ct);
        Assert.Equal(DemoDataSeeder.ScopedAdminEmail, check.Admin?.Email);
        // The list reloads after the secret is shown: its new row comes with the next render.
        cut.WaitForAssertion(() =>
        {
            var row = cut.FindAll("tr").Single(r => r.TextContent.Contains("Payroll export"));
            Assert.Contains(secret[..10] + "…", row.TextContent);
            Assert.DoesNotContain(secret, row.TextContent);
        });
    }

    [Fact]
    public async Task RevokedTokenIsRefusedAndMarkedRevoked()
    {
        var (context, tokens) = await ContextAsync();
        await using var _ = context;
        var cut = RenderLoaded(context);
        cut.Find("input").Change("To revoke");
        cut.ClickOn(() => cut.FindAll("button").Single(b => b.TextContent.Contains("Create token")));
        var secret = cut.WaitForElement("[data-testid=new-token]").TextContent;

        // The list reloads after the token is created: click the row's button once that render has happened.
        cut.ClickOn(() => cut.FindAll("tr").Single(r => r.TextContent.Contains("To revoke")).QuerySelector("button")!);

        cut.WaitForAssertion(() => Assert.Contains("Revoked", cut.FindAll("tr").Single(r => r.TextContent.Contains("To revoke")).TextContent));
        Assert.Equal(ApiTokens.Revoked, (await tokens.CheckAsync(secret, Ct)).Error);
        Assert.Empty(cut.FindAll("[data-testid=new-token]"));
    }
}
