using System.Text.Json.Serialization;
using MultiLine.Core.Admins;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Reports;

public static class ReportsExtensions
{
    /// <summary>SignalR progress of batches and who may watch them (Reports or Accounts privilege).</summary>
    public static IHostApplicationBuilder AddMultiLineReports(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR().AddJsonProtocol(options => options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddAuthorizationBuilder().AddPolicy(BatchHub.WatchPolicy, policy => policy
            .RequireAuthenticatedUser()
            .RequireAssertion(context => AdminClaims.Has(context.User, Privileges.Reports) || AdminClaims.Has(context.User, Privileges.Accounts)));
        return builder;
    }

    public static IEndpointRouteBuilder MapMultiLineReports(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHub<BatchHub>(BatchHub.Path);
        endpoints.MapReportDownloads();
        return endpoints;
    }
}
