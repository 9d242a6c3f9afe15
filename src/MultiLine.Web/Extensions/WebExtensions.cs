using MudBlazor.Services;

namespace MultiLine.Web.Extensions;

public static class WebExtensions
{
    /// <summary>Interactive server components and MudBlazor.</summary>
    public static IHostApplicationBuilder AddMultiLineWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomRight;
            options.SnackbarConfiguration.VisibleStateDuration = 6000;
        });
        return builder;
    }
}
