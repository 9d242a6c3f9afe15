using Microsoft.Extensions.Options;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Common;
using MultiLine.Core.Batches;
using MultiLine.Core.Demo;
using MultiLine.Core.Imports;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;
using MultiLine.Core.Webhooks;
using MultiLine.Web.Accounts;
using MultiLine.Web.Activity;
using MultiLine.Web.Admins;
using MultiLine.Web.Api;
using MultiLine.Web.Components;
using MultiLine.Web.Extensions;
using MultiLine.Web.Reports;
using MultiLine.Web.ScaleOut;
using MultiLine.Web.Invitations;
using MultiLine.Persistence.PostgreSQL;
using MultiLine.Persistence.Sqlite;

var builder = PortalStartup.CreateBuilder(args);

builder.AddMultiLineDatabase(SqliteEngine.Instance, PostgreSqlEngine.Instance);
builder.AddMultiLineHealthChecks();
builder.AddMultiLineDemoData();
builder.AddMultiLineAuthentication();
builder.AddMultiLineAccounts();
builder.AddMultiLineOrganizations();
builder.AddMultiLineActivity();
builder.AddMultiLineImports();
builder.AddMultiLineNumbers();
builder.AddMultiLineBatches();
builder.AddMultiLineReports();
builder.AddMultiLineScaleOut();
builder.AddMultiLineWeb();
builder.AddMultiLineHosting();
builder.AddMultiLineInvitations();
builder.AddMultiLineWebhooks();
builder.AddMultiLineApi();

var app = builder.Build();

await app.Services.MigrateDatabaseAsync();
await app.Services.SeedDemoDataAsync();

var node = app.Services.GetRequiredService<IOptions<NodeOptions>>().Value;
app.UseForwardedHeaders();
app.UseMultiLineSecurityHeaders();
if (!node.ServesUi)
{
    // A Worker node (Node:Role) runs batches and the outbox only: it answers health checks and 404 to everything else.
    app.UseWhen(context => !context.Request.Path.StartsWithSegments("/health"),
        other => other.Run(context => { context.Response.StatusCode = StatusCodes.Status404NotFound; return Task.CompletedTask; }));
}
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
}

app.UseMultiLineNotFoundPage();
app.UseAuthentication();
app.UseAuthorization();
app.UseMultiLineApi();
app.UseAntiforgery();

app.MapMultiLineHealthChecks();
if (node.ServesUi)
{
    app.MapStaticAssets().AllowAnonymous();
    app.MapSignOut();
    app.MapMultiLineReports();
    app.MapCsvTemplate();
    app.MapAccountsExport();
    app.MapActivityDownload();
    app.MapMultiLineInvitations();
    app.MapMultiLineApi();
    app.MapRazorComponents<App>().AddInteractiveServerRenderMode().AllowAnonymousCircuits();
}

return await app.RunPortalAsync();

/// <summary>Entry point; public so that tests can start the real app with WebApplicationFactory.</summary>
public partial class Program;
