using Microsoft.AspNetCore.Diagnostics;
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

    /// <summary>
    /// Unknown addresses get the Not found page inside the layout, with status 404. Programs (hubs, API) keep their
    /// plain status codes: the page is switched off for them.
    /// </summary>
    public static WebApplication UseMultiLineNotFoundPage(this WebApplication app)
    {
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.Use((context, next) =>
        {
            if ((context.Request.Path.StartsWithSegments("/hubs") || context.Request.Path.StartsWithSegments("/api"))
                && context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
                statusCodePages.Enabled = false;
            return next(context);
        });
        return app;
    }
}
