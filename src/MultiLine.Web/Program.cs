using MultiLine.Core.Demo;
using MultiLine.Core.Persistence;
using MultiLine.Web.Admins;
using MultiLine.Web.Components;
using MultiLine.Web.Extensions;
using MultiLine.Web.Invitations;

var builder = WebApplication.CreateBuilder(args);

builder.AddMultiLineDatabase();
builder.AddMultiLineDemoData();
builder.AddMultiLineAuthentication();
builder.AddMultiLineWeb();
builder.AddMultiLineInvitations();

var app = builder.Build();

await app.Services.MigrateDatabaseAsync();
await app.Services.SeedDemoDataAsync();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
}

app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapSignOut();
app.MapMultiLineInvitations();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode().AllowAnonymousCircuits();

app.Run();

/// <summary>Entry point; public so that tests can start the real app with WebApplicationFactory.</summary>
public partial class Program;
