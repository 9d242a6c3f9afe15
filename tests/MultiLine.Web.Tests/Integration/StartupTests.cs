using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

/// <summary>The portal as a process: started where its port is taken, and published then started from another folder.</summary>
public sealed class StartupTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _folder = Directory.CreateTempSubdirectory("multiline-startup-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APortWhoseAddressIsTakenIsNamedInOneLineWithHowToChooseAnotherAndTheProcessFails()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var database = EngineDatabase.Create(_folder);
        var settings = new Dictionary<string, string>(database.Settings!) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}" };

        using var portal = PortalProcess.Start(settings);
        await portal.WaitForExitAsync(StartTimeout);

        Assert.NotEqual(0, portal.ExitCode);
        var lines = portal.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var said = Assert.Single(lines, line => line.Contains("in use", StringComparison.OrdinalIgnoreCase));
        Assert.Contains($"http://127.0.0.1:{port}", said);
        Assert.Contains("--urls http://localhost:5080", said);
        Assert.Contains("ASPNETCORE_URLS", said);
        Assert.DoesNotContain(lines, line => line.StartsWith("at ", StringComparison.Ordinal) || line.Contains("Exception"));
    }

    [Fact]
    public async Task ThePublishedPortalStartedFromAnotherFolderFindsItsSettingsStylesAndDatabaseFolder()
    {
        var published = Path.Combine(_folder, "app");
        await PublishAsync(published);
        // No database setting: appsettings.json's Database:Path (data/multiline.db) must resolve under the app's folder.
        var settings = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" };

        using var portal = PortalProcess.Start(settings, appFolder: published, workingDirectory: Path.GetPathRoot(_folder));
        var address = await portal.ListeningAsync(StartTimeout);
        using var client = new HttpClient { BaseAddress = address };

        var css = await client.GetAsync("/app.css", Ct);
        Assert.True(css.IsSuccessStatusCode, $"/app.css answered {(int)css.StatusCode}.\n{portal.Output}");
        Assert.Contains("MultiLine Portal", await css.Content.ReadAsStringAsync(Ct));
        var signIn = await client.GetStringAsync("/signin", Ct);
        var mudStyles = System.Text.RegularExpressions.Regex.Match(signIn, "href=\"([^\"]*MudBlazor[^\"]*\\.css)\"").Groups[1].Value;
        Assert.NotEmpty(mudStyles);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(mudStyles, Ct)).StatusCode);
        Assert.True(File.Exists(Path.Combine(published, "data", "multiline.db")), portal.Output);
        await portal.StopAsync(TimeSpan.FromSeconds(30));
    }

    // `dotnet publish` of the app the tests were built with (no second build), as a deployment would copy it.
    private static async Task PublishAsync(string output)
    {
        var project = Path.Combine(RepositoryRoot(), "src", "MultiLine.Web", "MultiLine.Web.csproj");
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var start = new ProcessStartInfo("dotnet", ["publish", project, "--no-build", "-c", configuration, "-o", output, "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var publish = Process.Start(start)!;
        var stdout = publish.StandardOutput.ReadToEndAsync(Ct);
        var stderr = publish.StandardError.ReadToEndAsync(Ct);
        await publish.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(3), Ct);
        Assert.True(publish.ExitCode == 0, $"dotnet publish failed:\n{await stdout}\n{await stderr}");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "MultiLine.Blazor.sln")))
                return folder.FullName;
        throw new InvalidOperationException("The repository root (MultiLine.Blazor.sln) is not above the test folder.");
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
