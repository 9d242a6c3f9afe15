using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;

namespace MultiLine.Web.Extensions;

/// <summary>
/// How the portal process starts: from its own folder whatever the working directory, and with one clear line instead
/// of a stack trace when its address is taken.
/// </summary>
public static partial class PortalStartup
{
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>
    /// The builder, with the app's folder as content root (so <c>appsettings.json</c> and <c>wwwroot</c> are found when
    /// the published app is started from elsewhere). Under <c>dotnet run</c> the working directory is the project
    /// folder, which stays the content root (the database stays in <c>src/MultiLine.Web/data</c>); a content root given
    /// on the command line or in the environment wins.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot(args) });
        // The host logs a failed start with its stack trace before Run rethrows it; RunPortal says it in one line instead.
        // Only the host's own errors, only until the app has started; its warnings and later errors are logged as usual.
        var startup = new StartupState();
        builder.Services.AddSingleton(startup);
        builder.Logging.AddFilter(HostCategory, level => level >= LogLevel.Warning && (startup.Started || level < LogLevel.Error));
        return builder;
    }

    /// <summary>Runs the app; returns 1 with one line on standard error when its address is in use.</summary>
    public static async Task<int> RunPortalAsync(this WebApplication app)
    {
        var startup = app.Services.GetRequiredService<StartupState>();
        app.Lifetime.ApplicationStarted.Register(() => startup.Started = true);
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (IOException exception) when (exception.InnerException is AddressInUseException)
        {
            await Console.Error.WriteLineAsync(AddressInUseMessage(exception.Message));
            return 1;
        }
    }

    /// <summary>The line printed when Kestrel cannot bind: which address, and how to choose another.</summary>
    public static string AddressInUseMessage(string kestrelMessage)
    {
        var address = BindAddress().Match(kestrelMessage) is { Success: true } match ? match.Groups[1].Value : "the portal's address";
        return $"MultiLine Portal cannot start: {address} is already in use by another program. " +
               "Choose another port with --urls (dotnet run --project src/MultiLine.Web --urls http://localhost:5080) " +
               "or the ASPNETCORE_URLS environment variable.";
    }

    private static string? ContentRoot(string[] args)
    {
        var given = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_").AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(args)
            .Build()[HostDefaults.ContentRootKey];
        if (!string.IsNullOrEmpty(given))
            return null;
        var current = Directory.GetCurrentDirectory();
        return File.Exists(Path.Combine(current, "MultiLine.Web.csproj")) ? current : AppContext.BaseDirectory;
    }

    [GeneratedRegex(@"bind to address (\S+?):? address already in use", RegexOptions.IgnoreCase)]
    private static partial Regex BindAddress();

    private sealed class StartupState
    {
        public volatile bool Started;
    }
}
