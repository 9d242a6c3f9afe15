using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MultiLine.Core.Admins;

namespace MultiLine.Core.Demo;

public static class DemoExtensions
{
    public static IHostApplicationBuilder AddMultiLineDemoData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IPasswordHasher<Admin>, PasswordHasher<Admin>>();
        builder.Services.AddSingleton<DemoDataSeeder>();
        return builder;
    }

    /// <summary>Seeds the demo tenant when seeding is on and the database is empty, and says how to sign in.</summary>
    public static async Task SeedDemoDataAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var options = services.GetRequiredService<IOptions<DemoOptions>>().Value;
        if (!options.Seed)
            return;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("MultiLine.Demo");
        if (await services.GetRequiredService<DemoDataSeeder>().SeedIfEmptyAsync(options, cancellationToken))
            logger.LogInformation("Seeded demo data with {Accounts} accounts.", options.Accounts);
        if (await services.GetRequiredService<DemoDataSeeder>().EnsureDemoApiTokenAsync(options, cancellationToken))
            logger.LogWarning("Registered the demo API token (Demo:ApiToken) for {Email}.", options.AdminEmail);
        logger.LogWarning(
            "Demo data is on. Sign in as {Email} with password {Password} (also {Scoped} and {Reports}, same password).",
            options.AdminEmail, options.AdminPassword, DemoDataSeeder.ScopedAdminEmail, DemoDataSeeder.ReportsAdminEmail);
    }
}
