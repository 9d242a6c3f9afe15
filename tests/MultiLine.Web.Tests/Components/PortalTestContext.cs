using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using MultiLine.Core.Admins;
using MultiLine.Core.Persistence;
using Microsoft.Extensions.Options;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Batches;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Tests;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Tests.Components;

/// <summary>
/// The one place bUnit tests get their services: MudBlazor with loose JS interop, and the real data layer on the
/// demo database of a <see cref="PortalFactory"/>, seen through a chosen admin scope.
/// </summary>
public static class PortalTestContext
{
    public static BunitContext Create(PortalFactory portal, AdminScope? scope = null)
    {
        // A busy CI machine with browsers and servers beside these tests needs more than bUnit's one-second default.
        BunitContext.DefaultWaitTimeout = TimeSpan.FromSeconds(10);
        var context = new BunitContext();
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        context.Services.AddMudServices(options => options.PopoverOptions.CheckForPopoverProvider = false);
        context.Services.AddSingleton(portal.Services.GetRequiredService<IDbContextFactory<MultiLineDbContext>>());
        context.Services.AddSingleton(portal.Services.GetRequiredService<SystemDbContextFactory>());
        context.Services.AddSingleton<ICurrentAdmin>(new FixedAdmin(scope ?? SuperAdmin));
        context.Services.AddScoped<ScopedDbContextFactory>();
        context.AddAuthorization().SetAuthorized("Test admin").SetPolicies([.. Policies.All.Select(p => p.ToString()), Reports.BatchHub.WatchPolicy]);
        // The domain services are the real app's singletons.
        foreach (var type in SharedSingletons)
            context.Services.AddSingleton(type, portal.Services.GetRequiredService(type));
        context.Services.AddScoped<SingleAccountCreation>();
        context.Services.AddSingleton(portal.Services.GetRequiredService<AccountLifecycle>());
        return context;
    }

    /// <summary>The demo super admin (id 1): every organization, every privilege.</summary>
    public static readonly AdminScope SuperAdmin = new(1, null, Privileges.All);

    private static readonly Type[] SharedSingletons =
    [
        typeof(ImportValidator), typeof(ImportSubmission), typeof(AccountBatchSubmission), typeof(ImportUndo), typeof(BatchProgressNotifier), typeof(BatchQueue),
        typeof(AccountTemplates),
        typeof(IOptions<ImportOptions>), typeof(IOptions<BatchOptions>), typeof(TimeProvider), typeof(InvitationIssuer), typeof(AccountInputValidator),
        typeof(AccountImport), typeof(AccountUpdate), typeof(NumberAdditions), typeof(RoleManagement), typeof(AdministratorManagement), typeof(AdminPasswordSetup),
        typeof(MultiLine.Core.Organizations.OrganizationTree), typeof(MultiLine.Core.Organizations.PermissionGroupCatalog),
        typeof(MultiLine.Core.Webhooks.WebhookRegistry), typeof(IOptions<MultiLine.Core.Webhooks.WebhookOptions>),
    ];

    private sealed class FixedAdmin(AdminScope scope) : ICurrentAdmin
    {
        public Task<AdminScope> GetScopeAsync() => Task.FromResult(scope);

        public Task<ActivityActor> GetActorAsync() => Task.FromResult(new ActivityActor(scope.AdminId, "Test admin", "127.0.0.1", ActivitySource.Portal));
    }
}
