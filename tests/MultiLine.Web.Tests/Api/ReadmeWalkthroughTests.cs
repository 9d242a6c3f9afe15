using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;

namespace MultiLine.Web.Tests.Api;

/// <summary>The README's curl walk-through, run as written by bash and curl against the real server.</summary>
[Collection(ApiCollection.Name)]
public sealed class ReadmeWalkthroughTests(ApiFixture api)
{
    private const string Marker = "<!-- api-walkthrough";

    [Fact]
    public async Task ReadmeCurlWalkthroughValidatesImportsPollsAndDownloadsTheReport()
    {
        var script = WalkthroughScript();
        var folder = Directory.CreateTempSubdirectory("multiline-readme-").FullName;
        var start = new ProcessStartInfo("bash", ["-e", "-o", "pipefail", "-c", script])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["MULTILINE_URL"] = api.Address.ToString().TrimEnd('/'),
                ["MULTILINE_TOKEN"] = ApiFixture.SuperToken,
            },
        };

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, $"The walk-through failed ({process.ExitCode}): {await errors}\n{await output}");
        Assert.Matches(@"Batch \d+: Completed", await output);
        var report = await File.ReadAllLinesAsync(Path.Combine(folder, "report.csv"), TestContext.Current.CancellationToken);
        Assert.Equal(3, report.Length);
        Assert.All(report.Skip(1), line => Assert.Contains(",Succeeded,", line));
        await using var db = api.Factory.CreateDbContext();
        var accounts = await db.Accounts.Include(a => a.Organization)
            .Where(a => a.NormalizedUsername == "ada.lovelace@sales.acme.example" || a.NormalizedUsername == "alan.turing@sales.acme.example")
            .ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, accounts.Count);
        Assert.All(accounts, a => Assert.Equal(("Acme Sales", AccountStatus.NotInvited), (a.Organization!.Name, a.Status)));
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The bash block right after the walk-through marker in the README.</summary>
    private static string WalkthroughScript()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var marker = readme.IndexOf(Marker, StringComparison.Ordinal);
        Assert.True(marker >= 0, "The README has no API walk-through marker.");
        var start = readme.IndexOf("```bash\n", marker, StringComparison.Ordinal) + "```bash\n".Length;
        var end = readme.IndexOf("\n```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "README.md")))
            directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("README.md not found above the test binaries.");
    }
}
