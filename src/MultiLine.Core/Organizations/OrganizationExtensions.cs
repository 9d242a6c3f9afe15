using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace MultiLine.Core.Organizations;

public static class OrganizationExtensions
{
    /// <summary>The organization tree and permission groups, for the pages and the API.</summary>
    public static IHostApplicationBuilder AddMultiLineOrganizations(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<OrganizationTree>();
        builder.Services.TryAddSingleton<PermissionGroupCatalog>();
        return builder;
    }
}
