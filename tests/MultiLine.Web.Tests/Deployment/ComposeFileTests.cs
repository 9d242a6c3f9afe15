using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Demo;
using MultiLine.Core.Imports;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Persistence;
using MultiLine.Tests;
using MultiLine.Web.Api;
using MultiLine.Web.ScaleOut;
using MultiLine.Web.Extensions;
using MultiLine.Web.Reports;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace MultiLine.Web.Tests.Deployment;

/// <summary>
/// compose.yaml, the several-instance deployment of docs/deploy.md, read as Compose reads it (YAML merge keys, then
/// <c>${VAR:-default}</c> interpolation): its services, the settings each app instance gets checked against the
/// options the portal binds, the nginx file it mounts, and its container health check run against the real app.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string Root = FindRoot();

    /// <summary>What an operator sets (compose.yaml requires it); every other variable takes its default.</summary>
    private static readonly Dictionary<string, string> Variables = new() { ["POSTGRES_PASSWORD"] = "compose-test-password" };

    private static readonly string[] AppServices = ["web1", "web2", "worker"];
    private static readonly string[] WebServices = ["web1", "web2"];

    /// <summary>The values of <c>Database:Provider</c>: the embedded default and the engine for several instances.</summary>
    private static readonly string[] DatabaseEngines = ["Sqlite", "PostgreSQL"];

    /// <summary>The options class behind each configuration section an app instance is given.</summary>
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [NodeOptions.Section] = typeof(NodeOptions),
        [DatabaseOptions.Section] = typeof(DatabaseOptions),
        [SmtpOptions.Section] = typeof(SmtpOptions),
        [InvitationOptions.Section] = typeof(InvitationOptions),
        [BatchOptions.Section] = typeof(BatchOptions),
        [ImportOptions.Section] = typeof(ImportOptions),
        [DemoOptions.Section] = typeof(DemoOptions),
        [ApiOptions.Section] = typeof(ApiOptions),
        [RedisOptions.Section] = typeof(RedisOptions),
    };

    private static readonly Dictionary<string, object> Compose = LoadCompose();

    [Fact]
    public void TheDeploymentHasTheDatabaseRedisTwoWebInstancesAWorkerAndTheProxy()
    {
        var services = Services();
        foreach (var name in new[] { "postgres", "redis", "web1", "web2", "worker", "proxy" })
            Assert.True(services.ContainsKey(name), $"compose.yaml has no service \"{name}\"; it has {string.Join(", ", services.Keys)}.");
    }

    [Fact]
    public void WebInstancesServePagesAndTheWorkerRunsBatches()
    {
        foreach (var name in WebServices)
            Assert.Equal(NodeRole.Web, Bind<NodeOptions>(name).Role);
        Assert.Equal(NodeRole.Worker, Bind<NodeOptions>("worker").Role);
    }

    [Fact]
    public void EveryAppInstanceUsesTheSamePostgreSqlDatabaseAndRedis()
    {
        var postgres = EnvironmentOf("postgres");
        foreach (var name in AppServices)
        {
            var environment = EnvironmentOf(name);
            Assert.Equal("PostgreSQL", Setting(environment, name, "Database__Provider"));
            Assert.Contains(Bind<DatabaseOptions>(name).Provider, DatabaseEngines);

            var connection = Setting(environment, name, "Database__ConnectionString").Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(part => part.Split('=', 2))
                .ToDictionary(pair => pair[0].Trim(), pair => pair[1].Trim(), StringComparer.OrdinalIgnoreCase);
            Assert.Equal("postgres", connection["Host"]);
            Assert.Equal(postgres["POSTGRES_DB"], connection["Database"]);
            Assert.Equal(postgres["POSTGRES_USER"], connection["Username"]);
            Assert.Equal(postgres["POSTGRES_PASSWORD"], connection["Password"]);

            var redis = Setting(environment, name, "Redis__ConnectionString").Split(',')[0];
            Assert.Equal("redis:6379", redis);
        }
    }

    [Fact]
    public void EveryAppSettingIsAnOptionThePortalReadsWithAValueItAccepts()
    {
        foreach (var name in AppServices)
        {
            var settings = EnvironmentOf(name).ToDictionary(e => e.Key.Replace("__", ":"), e => e.Value);
            foreach (var key in settings.Keys)
            {
                var section = key.Split(':')[0];
                Assert.True(Sections.ContainsKey(section) || section == "ForwardedHeaders",
                    $"{name}: {key} is not a setting the portal reads.");
            }

            // Binding fails on a key the options class does not have and on a value it cannot convert (an enum name,
            // a number); then the class's own validation runs, as ValidateDataAnnotations does at start-up.
            foreach (var (section, type) in Sections)
            {
                var bindable = settings.Where(s => s.Key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
                    .Select(s => new KeyValuePair<string, string?>(s.Key, s.Value));
                var options = new ConfigurationBuilder().AddInMemoryCollection(bindable).Build().GetSection(section)
                    .Get(type, binder => binder.ErrorOnUnknownConfiguration = true) ?? Activator.CreateInstance(type)!;
                var problems = new List<ValidationResult>();
                Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), problems, validateAllProperties: true),
                    $"{name}: {section} is invalid: {string.Join(" ", problems.Select(p => p.ErrorMessage))}");
            }

            var links = Bind<InvitationOptions>(name).PublicBaseUrl;
            Assert.True(Uri.TryCreate(links, UriKind.Absolute, out var baseUrl) && baseUrl.Scheme is "http" or "https",
                $"{name}: Invitations:PublicBaseUrl ({links}) must be the portal's absolute address: workers write links without a request.");

            foreach (var (key, value) in settings.Where(s => s.Key.StartsWith("ForwardedHeaders:", StringComparison.Ordinal)))
            {
                if (Regex.IsMatch(key, @"^ForwardedHeaders:KnownProxies:\d+$"))
                    Assert.True(IPAddress.TryParse(value, out _), $"{name}: {key} = {value} is not an IP address.");
                else if (Regex.IsMatch(key, @"^ForwardedHeaders:KnownNetworks:\d+$"))
                    Assert.True(System.Net.IPNetwork.TryParse(value, out _), $"{name}: {key} = {value} is not a CIDR range.");
                else
                    Assert.Fail($"{name}: {key} is not a setting the portal reads (ForwardedHeaders:KnownProxies:N or KnownNetworks:N).");
            }
        }
    }

    [Fact]
    public void TheAppsTrustForwardedHeadersFromTheirOwnNetworkOnly()
    {
        var subnet = System.Net.IPNetwork.Parse(Scalar(Mapping(Sequence(Mapping(Mapping(Mapping(Compose["networks"])["default"])["ipam"])["config"])[0])["subnet"]));
        foreach (var name in AppServices)
        {
            var networks = EnvironmentOf(name).Where(e => e.Key.StartsWith("ForwardedHeaders__KnownNetworks__", StringComparison.Ordinal)).ToList();
            Assert.Equal(new[] { subnet.ToString() }, networks.Select(n => System.Net.IPNetwork.Parse(n.Value).ToString()));
        }
    }

    [Fact]
    public void TheSecondWebInstanceAndTheWorkerStartAfterTheFirstHasMigrated()
    {
        Assert.Equal("service_healthy", DependsOn("web1")["postgres"]);
        Assert.Equal("service_healthy", DependsOn("web2")["web1"]);
        Assert.Equal("service_healthy", DependsOn("worker")["web1"]);
        foreach (var name in AppServices)
        {
            var test = string.Join(' ', Sequence(Mapping(Service(name)["healthcheck"])["test"]).Select(Scalar));
            Assert.Contains(HealthExtensions.ReadyPath, test);
            // The ASP.NET runtime image ships neither of them.
            Assert.DoesNotContain("curl", test);
            Assert.DoesNotContain("wget", test);
        }
    }

    [Fact]
    public async Task TheContainerHealthCheckPassesOnAReadyInstanceAndFailsOnAnyOtherAnswer()
    {
        await using var portal = new PortalFactory(demoAccounts: 5, settings: new Dictionary<string, string?> { ["Node:Role"] = "Worker" });
        var address = portal.StartOnLoopback();
        var test = Sequence(Mapping(Service("worker")["healthcheck"])["test"]).Select(Scalar).ToList();
        Assert.Equal(new[] { "CMD", "bash", "-c" }, test.Take(3));
        var script = test[3].Replace(":8080", $":{address.Port}").Replace("/8080", $"/{address.Port}");

        Assert.Equal(0, await RunAsync(script));
        Assert.NotEqual(0, await RunAsync(script.Replace(HealthExtensions.ReadyPath, "/health/unknown")));
    }

    [Fact]
    public void TheProxyPublishesPort8080AndMountsItsNginxFile()
    {
        var proxy = Service("proxy");
        Assert.Contains(Sequence(proxy["ports"]).Select(Scalar), port => port.Split(':')[0] == "8080");
        var (_, config) = NginxConfig();
        Assert.Contains("listen 8080;", config);
    }

    [Fact]
    public void TheProxyKeepsEachBrowserOnOneWebInstance()
    {
        var (_, config) = NginxConfig();
        var upstream = Block(config, @"upstream\s+(\w+)");
        foreach (var name in WebServices)
            Assert.Matches($@"(?m)^\s*server\s+{name}:8080\b", upstream);

        // Open-source nginx: a consistent hash of a key taken from a cookie that the proxy itself sets when it is missing.
        var hash = Regex.Match(upstream, @"(?m)^\s*hash\s+\$(\w+)\s+consistent;");
        Assert.True(hash.Success, "The upstream has no sticky-session directive (hash $key consistent).");
        var key = Regex.Match(config, $@"map\s+\$cookie_(\w+)\s+\${hash.Groups[1].Value}\s*\{{");
        Assert.True(key.Success, $"${hash.Groups[1].Value} is not taken from a cookie.");
        var cookie = key.Groups[1].Value;
        Assert.Matches($@"add_header\s+Set-Cookie\s+\$\w+\s+always;", config);
        Assert.Matches($@"""{cookie}=\$request_id;", config);
    }

    [Fact]
    public void TheProxyUpgradesBlazorAndHubConnectionsToWebSockets()
    {
        var (_, config) = NginxConfig();
        Assert.Matches(@"map\s+\$http_upgrade\s+\$connection_upgrade\s*\{[^}]*default\s+upgrade;", config);
        foreach (var path in new[] { "/_blazor", "/_blazor/negotiate", BatchHub.Path, BatchHub.Path + "/negotiate" })
        {
            var location = LocationFor(config, path);
            Assert.Contains("proxy_http_version 1.1;", location);
            Assert.Contains("proxy_set_header Upgrade $http_upgrade;", location);
            Assert.Contains("proxy_set_header Connection $connection_upgrade;", location);
        }
        foreach (var path in new[] { "/_blazor", BatchHub.Path, "/accounts", "/api/v1/batches" })
        {
            var location = LocationFor(config, path);
            Assert.Contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", location);
            Assert.Contains("proxy_set_header X-Forwarded-Proto $scheme;", location);
            Assert.Contains("proxy_pass http://multiline_web;", location);
        }
    }

    // --- compose.yaml as Compose reads it ---

    private static Dictionary<string, object> LoadCompose()
    {
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Root, "compose.yaml")));
        var document = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object>>(new MergingParser(new Parser(reader)));
        return (Dictionary<string, object>)Interpolate(document)!;
    }

    /// <summary>Compose's interpolation: <c>${VAR}</c>, <c>${VAR:-default}</c>, <c>${VAR-default}</c>, <c>${VAR:?error}</c>, <c>$$</c>.</summary>
    private static object? Interpolate(object? node) => node switch
    {
        Dictionary<object, object> mapping => mapping.ToDictionary(e => (string)e.Key, e => Interpolate(e.Value)!),
        List<object> sequence => sequence.Select(item => Interpolate(item)!).ToList(),
        string text => Variable().Replace(text, match =>
        {
            if (match.Value == "$$")
                return "$";
            var name = match.Groups["name"].Value;
            var set = Variables.TryGetValue(name, out var value);
            return match.Groups["op"].Value switch
            {
                ":-" => set && value != "" ? value! : match.Groups["arg"].Value,
                "-" => set ? value! : match.Groups["arg"].Value,
                ":?" or "?" when !set => throw new InvalidOperationException($"compose.yaml needs {name}: {match.Groups["arg"].Value}"),
                _ => value ?? "",
            };
        }),
        _ => node,
    };

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?])(?<arg>[^}]*))?\}")]
    private static partial Regex Variable();

    private static Dictionary<string, object> Services() => Mapping(Compose["services"]);

    private static Dictionary<string, object> Service(string name) =>
        Services().TryGetValue(name, out var service) ? Mapping(service) : throw new Xunit.Sdk.XunitException($"compose.yaml has no service \"{name}\".");

    /// <summary>A service's environment, written as a mapping or as a list of KEY=VALUE.</summary>
    private static Dictionary<string, string> EnvironmentOf(string service) =>
        Service(service).GetValueOrDefault("environment") switch
        {
            Dictionary<string, object> mapping => mapping.ToDictionary(e => e.Key, e => e.Value is null ? "" : Scalar(e.Value)),
            List<object> list => list.Select(Scalar).Select(e => e.Split('=', 2)).ToDictionary(e => e[0], e => e.Length > 1 ? e[1] : ""),
            _ => [],
        };

    private static string Setting(Dictionary<string, string> environment, string service, string key) =>
        environment.TryGetValue(key, out var value) ? value : throw new Xunit.Sdk.XunitException($"{service} does not set {key}.");

    /// <summary>The service's settings bound to <typeparamref name="T"/> as the portal binds them.</summary>
    private static T Bind<T>(string service) where T : class, new()
    {
        var section = (string)typeof(T).GetField("Section")!.GetValue(null)!;
        var settings = EnvironmentOf(service).Where(e => e.Key.StartsWith(section + "__", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(e => e.Key.Replace("__", ":"), e => (string?)e.Value);
        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build().GetSection(section)
            .Get<T>(binder => binder.ErrorOnUnknownConfiguration = true) ?? new T();
    }

    private static Dictionary<string, string> DependsOn(string service) =>
        Service(service).GetValueOrDefault("depends_on") switch
        {
            Dictionary<string, object> mapping => mapping.ToDictionary(e => e.Key, e => e.Value is Dictionary<string, object> d ? Scalar(d["condition"]) : "service_started"),
            List<object> list => list.Select(Scalar).ToDictionary(e => e, _ => "service_started"),
            _ => [],
        };

    private static Dictionary<string, object> Mapping(object? node) =>
        node as Dictionary<string, object> ?? throw new Xunit.Sdk.XunitException($"Expected a mapping in compose.yaml, found {node ?? "nothing"}.");

    private static List<object> Sequence(object? node) =>
        node as List<object> ?? throw new Xunit.Sdk.XunitException($"Expected a list in compose.yaml, found {node ?? "nothing"}.");

    private static string Scalar(object? node) =>
        node as string ?? throw new Xunit.Sdk.XunitException($"Expected a value in compose.yaml, found {node ?? "nothing"}.");

    // --- the nginx file the proxy mounts ---

    /// <summary>The repository file mounted as nginx's server configuration, without its comments.</summary>
    private static (string Path, string Text) NginxConfig()
    {
        var mounts = Sequence(Service("proxy")["volumes"]).Select(Scalar).Select(v => v.Split(':')).ToList();
        var mount = mounts.SingleOrDefault(m => m.Length >= 2 && m[1].StartsWith("/etc/nginx/", StringComparison.Ordinal) && m[1].EndsWith(".conf", StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException("The proxy mounts no nginx .conf file.");
        Assert.StartsWith("./", mount[0]);
        var file = Path.GetFullPath(Path.Combine(Root, mount[0]));
        Assert.True(File.Exists(file), $"The proxy mounts {mount[0]}, which is not in the repository.");
        var text = string.Join('\n', File.ReadAllLines(file).Select(line => Regex.Replace(line, @"(^|\s)#.*$", "")));
        return (file, text);
    }

    /// <summary>The body of the first block whose head matches <paramref name="head"/>, up to its closing brace.</summary>
    private static string Block(string config, string head)
    {
        var match = Regex.Match(config, head + @"\s*\{");
        Assert.True(match.Success, $"nginx.conf has no block {head}.");
        var depth = 1;
        var end = match.Index + match.Length;
        while (depth > 0 && end < config.Length)
            depth += config[end++] switch { '{' => 1, '}' => -1, _ => 0 };
        return config[(match.Index + match.Length)..(end - 1)];
    }

    /// <summary>The prefix location nginx picks for <paramref name="path"/>: the longest matching prefix.</summary>
    private static string LocationFor(string config, string path)
    {
        var best = Regex.Matches(config, @"location\s+(?:\^~\s+)?(/\S*)\s*\{")
            .Where(m => path.StartsWith(m.Groups[1].Value, StringComparison.Ordinal))
            .MaxBy(m => m.Groups[1].Value.Length);
        Assert.True(best is not null, $"No nginx location serves {path}.");
        return Block(config[best.Index..], Regex.Escape(best.Value.TrimEnd('{').TrimEnd()));
    }

    private static async Task<int> RunAsync(string script)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardError = true })!;
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return process.ExitCode;
    }

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MultiLine.Blazor.sln")))
            folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("MultiLine.Blazor.sln not found above the test binaries.");
    }
}
