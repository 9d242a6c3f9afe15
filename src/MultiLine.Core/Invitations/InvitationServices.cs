using MultiLine.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Invitations;

public static class InvitationServices
{
    /// <summary>
    /// Invitations, activation, notifications and the outbox sender. The sender is a hosted service; SMTP settings
    /// come from "Smtp", invitation settings from "Invitations".
    /// </summary>
    public static IHostApplicationBuilder AddMultiLineInvitationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InvitationOptions>().BindConfiguration(InvitationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var contentRoot = builder.Environment.ContentRootPath;
        services.AddSingleton(provider =>
        {
            var smtp = provider.GetRequiredService<IOptions<SmtpOptions>>().Value;
            var database = provider.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return ResolveLocation(smtp, database, contentRoot);
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IPortalLinks, ConfiguredPortalLinks>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<EmailTransportFactory>();
        services.AddSingleton<InvitationIssuer>();
        services.AddSingleton<NotificationComposer>();
        services.AddSingleton<AccountActivation>();
        services.AddSingleton<OutboxSender>();
        services.AddHostedServiceFor(node => node.RunsBackgroundWork, provider => provider.GetRequiredService<OutboxSender>());
        return builder;
    }

    /// <summary>The pickup folder: the configured one, else "outbox" beside the database file.</summary>
    public static OutboxLocation ResolveLocation(SmtpOptions smtp, DatabaseOptions database, string contentRoot)
    {
        string Absolute(string path) => Path.IsPathRooted(path) ? path : Path.Combine(contentRoot, path);
        var folder = string.IsNullOrWhiteSpace(smtp.PickupFolder)
            ? Path.Combine(Path.GetDirectoryName(Absolute(database.Path))!, "outbox")
            : Absolute(smtp.PickupFolder);
        return new OutboxLocation(Path.GetFullPath(folder));
    }
}
