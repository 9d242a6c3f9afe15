using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace MultiLine.Core.Accounts;

public static class AccountExtensions
{
    public static IHostApplicationBuilder AddMultiLineAccounts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SingleAccountCreation>();
        builder.Services.TryAddSingleton<AccountLifecycle>();
        builder.Services.AddScoped<AccountExport>();
        builder.Services.AddSingleton<AccountUpdate>();
        return builder;
    }
}
