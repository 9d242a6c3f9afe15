using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MultiLine.Core.Common;

namespace MultiLine.Core.Activity;

public static class ActivityExtensions
{
    /// <summary>The activity report's export and the retention sweep (<c>Activity:RetentionDays</c>), which runs beside the batch worker.</summary>
    public static IHostApplicationBuilder AddMultiLineActivity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ActivityOptions>().BindConfiguration(ActivityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<ActivityExport>();
        builder.Services.AddSingleton<ActivityRetention>();
        builder.Services.AddHostedServiceFor(node => node.RunsBackgroundWork, provider => provider.GetRequiredService<ActivityRetention>());
        return builder;
    }
}
