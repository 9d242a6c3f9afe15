using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace MultiLine.Core.Admins;

public static class AdminServices
{
    /// <summary>Roles, administrators and their invitations ("Administrators" settings).</summary>
    public static IHostApplicationBuilder AddMultiLineAdministrators(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdministratorOptions>().BindConfiguration(AdministratorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<IPasswordHasher<Admin>, PasswordHasher<Admin>>();
        builder.Services.TryAddSingleton<RoleManagement>();
        builder.Services.TryAddSingleton<AdministratorManagement>();
        builder.Services.TryAddSingleton<AdminPasswordSetup>();
        return builder;
    }
}
