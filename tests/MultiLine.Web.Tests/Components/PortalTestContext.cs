using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using MultiLine.Core.Admins;
using MultiLine.Core.Invitations;
using MultiLine.Core.Persistence;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Components;

/// <summary>
/// The one place bUnit tests get their services: MudBlazor with loose JS interop, and the real data layer on the
/// demo database of a <see cref="PortalFactory"/>, seen through a chosen admin scope.
/// </summary>
public static class PortalTestContext
{
    public static BunitContext Create(PortalFactory portal, AdminScope? scope = null)
    {
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices(options => options.PopoverOptions.CheckForPopoverProvider = false);
        context.Services.AddSingleton(portal.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>());
        context.Services.AddSingleton<ICurrentAdmin>(new FixedAdmin(scope ?? AdminScope.System));
        context.Services.AddScoped<ScopedDbContextFactory>();
        context.Services.AddSingleton(portal.Services.GetRequiredService<InvitationIssuer>());
        context.Services.AddSingleton(TimeProvider.System);
        context.AddAuthorization().SetAuthorized("Test admin");
        return context;
    }

    private sealed class FixedAdmin(AdminScope scope) : ICurrentAdmin
    {
        public Task<AdminScope> GetScopeAsync() => Task.FromResult(scope);
    }
}
