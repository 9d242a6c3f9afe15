using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MultiLine.Core.Imports;

/// <summary>Registers the CSV import engine.</summary>
public static class ImportServiceExtensions
{
    /// <summary>Options from the "Import" section (validated on start), the account rules, the reader and the import validator.</summary>
    public static IHostApplicationBuilder AddMultiLineImports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ImportOptions>().BindConfiguration(ImportOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AccountInputValidator>();
        builder.Services.AddSingleton<FluentValidation.IValidator<AccountInput>>(sp => sp.GetRequiredService<AccountInputValidator>());
        builder.Services.AddSingleton<CsvFileReader>();
        builder.Services.AddSingleton<ImportValidator>();
        builder.Services.AddSingleton<AccountImport>();
        builder.Services.AddSingleton<AccountTemplates>();
        return builder;
    }
}
