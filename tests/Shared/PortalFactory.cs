using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Persistence;

namespace MultiLine.Tests;

/// <summary>
/// The real portal on a real database of the run's engine (<see cref="TestEngine"/>: a SQLite file in a temp folder or a
/// fresh PostgreSQL database), with the demo tenant seeded.
/// <see cref="StartOnLoopback"/> serves it with Kestrel on a free 127.0.0.1 port for browsers and SignalR clients.
/// </summary>
public sealed class PortalFactory : WebApplicationFactory<Program>
{
    public const string AdminEmail = "admin@multiline.example";
    public const string Password = "Test-Password-123";
    private readonly string _folder = Directory.CreateTempSubdirectory("multiline-portal-").FullName;
    private readonly int _demoAccounts;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    /// <param name="demoAccounts">How many demo accounts to seed.</param>
    /// <param name="settings">Extra configuration, e.g. <c>["Batches:PollSeconds"] = "3600"</c> or <c>Demo:ApiToken</c>.</param>
    /// <param name="services">Test-only service changes made after the app's own (e.g. trusting a test receiver's certificate).</param>
    public PortalFactory(int demoAccounts = 60, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        _demoAccounts = demoAccounts;
        _settings = settings ?? new Dictionary<string, string?>();
        _services = services;
        Database = EngineDatabase.Create(_folder);
    }

    public EngineDatabase Database { get; }

    /// <summary>The test's own folder: the outbox pickup folder is under it.</summary>
    public string Folder => _folder;

    /// <summary>The loopback address once <see cref="StartOnLoopback"/> ran.</summary>
    public Uri? Address { get; private set; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in Database.Settings)
            builder.UseSetting(key, value);
        builder.UseSetting("Demo:Seed", "true");
        builder.UseSetting("Demo:Accounts", _demoAccounts.ToString());
        builder.UseSetting("Demo:AdminEmail", AdminEmail);
        builder.UseSetting("Demo:AdminPassword", Password);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Smtp:PickupFolder", Path.Combine(_folder, "outbox"));
        foreach (var (key, value) in _settings)
            builder.UseSetting(key, value);
        if (_services is not null)
            builder.ConfigureTestServices(_services);
    }

    public Uri StartOnLoopback()
    {
        if (Address is not null)
            return Address;
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Address = new Uri(addresses.First());
        return Address;
    }

    /// <summary>An unscoped context on the test's database, to arrange data or check what the app wrote.</summary>
    public MultiLineDbContext CreateDbContext() =>
        Services.GetRequiredService<SystemDbContextFactory>().Create();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Database.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
