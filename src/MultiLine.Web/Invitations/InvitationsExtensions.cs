using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Persistence;
using MultiLine.Core.Admins;
using MultiLine.Web.Activity;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Invitations;

public static class InvitationsExtensions
{
    /// <summary>Invitations, activation and the outbox sender, with activation links on the portal's own address.</summary>
    public static IHostApplicationBuilder AddMultiLineInvitations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IPortalLinks, ServerPortalLinks>();
        builder.AddMultiLineInvitationServices();
        return builder;
    }

    /// <summary>Downloads an outbox email as an .eml file (admins with Setup, within their scope).</summary>
    public static IEndpointRouteBuilder MapMultiLineInvitations(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/outbox/{id:int}.eml", async (int id, ScopedDbContextFactory data, IOptions<SmtpOptions> smtp, ICurrentAdmin admin, TimeProvider clock, CancellationToken ct) =>
        {
            await using var db = await data.CreateAsync(ct);
            var eml = await OutboxDirectory.EmlAsync(db, id, smtp.Value, await admin.GetActorAsync(), clock.GetUtcNow().UtcDateTime, ct);
            return eml is null ? Results.NotFound() : Results.File(eml, "message/rfc822", $"outbox-{id}.eml");
        }).RequireAuthorization(Policies.Setup).Audited(Core.Activity.ActivityActions.OutboxMessageDownload);
        return endpoints;
    }

    /// <summary>
    /// Lets visitors without an admin sign-in open a circuit, so the public activation page is interactive. Only the
    /// Blazor hub endpoints are opened: every page still carries its own [Authorize], enforced on the HTTP request
    /// and again by AuthorizeRouteView inside the circuit, and an anonymous circuit's data scope matches nothing.
    /// </summary>
    public static RazorComponentsEndpointConventionBuilder AllowAnonymousCircuits(this RazorComponentsEndpointConventionBuilder builder)
    {
        builder.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route } && route.TrimStart('/').StartsWith("_blazor", StringComparison.Ordinal))
                endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute());
        });
        return builder;
    }

    /// <summary>Links on <see cref="InvitationOptions.PublicBaseUrl"/>, else on the first address the server listens on.</summary>
    private sealed class ServerPortalLinks(IOptions<InvitationOptions> options, IServer server) : IPortalLinks
    {
        public string BaseUrl => options.Value.PublicBaseUrl ?? ListeningAddress();

        private string ListeningAddress()
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
            return address.Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost").Replace("://+", "://localhost").Replace("://*", "://localhost");
        }
    }
}
