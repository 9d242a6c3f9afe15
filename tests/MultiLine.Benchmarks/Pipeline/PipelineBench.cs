using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace MultiLine.Benchmarks.Pipeline;

/// <summary>
/// The import pipeline against its raw floors, on the demo tenant with 200,000 accounts (docs/performance.md):
/// <c>dotnet run -c Release --project tests/MultiLine.Benchmarks -- pipeline [--provider sqlite|postgresql] [--runs N] [--scenarios 1,3]</c>.
/// Seeds a template database once, then runs each scenario in a child process of its own (so its peak working set is
/// its own) on fresh copies of the template, and prints one table: rows, runs, median, the raw floor measured in the
/// same process, the ratio, the target and the peak working set; then a second table of where the time went.
/// </summary>
public static class PipelineBench
{
    private const string ResultPrefix = "##result ";
    private const string TemplatePrefix = "##template ";

    /// <summary>Scenario 4's runs each take a process of their own; more are started while they fit in this budget (at most 5).</summary>
    private static readonly TimeSpan LargeImportBudget = TimeSpan.FromSeconds(150);

    private static readonly string[] AllScenarios = ["1", "2", "3", "4", "5", "6", "7"];

    /// <summary>
    /// The children run with tiered compilation off, so every method is fully optimized from its first call and a
    /// warm-up run is enough to reach a long-running server's speed. With tiering on, the first measured runs on a busy
    /// 2-core machine were 30–100 % slower than the later ones (tier-1 code arrived over several runs). Setting
    /// DOTNET_TieredCompilation yourself overrides this.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> ChildEnvironment =
        Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") is null
            ? new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" }
            : new Dictionary<string, string>();

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options.Parse(args);
        if (options.Error is { } error)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine("Usage: pipeline [--provider sqlite|postgresql] [--runs N] [--scenarios 1,2,...]");
            return 2;
        }
        switch (options.Command)
        {
            case "prepare":
            {
                var engine = BenchEngine.For(options.Provider, options.Folder!, options.RunId!);
                Console.WriteLine(TemplatePrefix + await PipelineScenarios.PrepareAsync(engine, options.Folder!));
                return 0;
            }
            case "run":
            {
                var engine = BenchEngine.For(options.Provider, options.Folder!, options.RunId!);
                var scenarios = new PipelineScenarios(engine, options.Template!, options.Folder!);
                foreach (var result in await scenarios.RunAsync(options.Scenarios.Single(), options.Runs))
                    Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
                return 0;
            }
        }
        return await RunAllAsync(options);
    }

    private static async Task<int> RunAllAsync(Options options)
    {
        var runId = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var folder = Directory.CreateTempSubdirectory("multiline-pipeline-").FullName;
        var engine = BenchEngine.For(options.Provider, folder, runId);
        string[] common = ["--provider", options.Provider, "--work", folder, "--run", runId];
        var loadBefore = LoadAverage();
        string description;
        try
        {
            description = await engine.DescribeAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or Npgsql.NpgsqlException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine(e.Message);
            Directory.Delete(folder, recursive: true);
            return 2;
        }
        Console.Error.WriteLine($"Pipeline bench on {description}: seeding the template (200,000 accounts)...");
        var results = new List<ScenarioResult>();
        var failures = new Dictionary<string, string>();
        string? template = null;
        var total = Stopwatch.StartNew();
        try
        {
            var prepared = await ChildProcess.RunAsync(["pipeline", "prepare", .. common], Relay, ChildEnvironment);
            template = prepared.Output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith(TemplatePrefix, StringComparison.Ordinal))?[TemplatePrefix.Length..];
            if (!prepared.Succeeded || template is null)
            {
                Console.Error.WriteLine($"Could not seed the template: {prepared.Failure()}");
                Console.Error.Write(prepared.Errors);
                return 1;
            }

            foreach (var scenario in options.Scenarios)
            {
                Console.Error.WriteLine($"Scenario {scenario}...");
                var watch = Stopwatch.StartNew();
                // Scenario 4 takes a process per run, so each run's peak working set starts from a fresh process.
                var perProcess = scenario == "4";
                var children = perProcess ? options.Runs ?? 5 : 1;
                var merged = new Dictionary<string, ScenarioResult>();
                for (var child = 0; child < children; child++)
                {
                    var started = watch.Elapsed;
                    if (perProcess)
                        Console.Error.WriteLine($"  process {child + 1} (one run each)");
                    string[] runs = perProcess ? ["--runs", "1"] : options.Runs is { } n ? ["--runs", n.ToString(CultureInfo.InvariantCulture)] : [];
                    var outcome = await ChildProcess.RunAsync(["pipeline", "run", "--scenarios", scenario, "--template", template, .. common, .. runs], Relay, ChildEnvironment);
                    var reported = outcome.Output.Split('\n').Select(l => l.Trim())
                        .Where(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal))
                        .Select(l => JsonSerializer.Deserialize<ScenarioResult>(l[ResultPrefix.Length..])!)
                        .ToList();
                    if (!outcome.Succeeded || reported.Count == 0)
                    {
                        failures[scenario] = outcome.Failure();
                        Console.Error.Write(outcome.Errors.Length > 4000 ? outcome.Errors[^4000..] : outcome.Errors);
                        break;
                    }
                    foreach (var result in reported)
                        merged[result.Id] = merged.TryGetValue(result.Id, out var earlier) ? earlier.Merge(result) : result;
                    var took = watch.Elapsed - started;
                    if (perProcess && options.Runs is null && watch.Elapsed + took > LargeImportBudget)
                        break;
                }
                results.AddRange(merged.Values);
                Console.Error.WriteLine($"  ({watch.Elapsed.TotalSeconds:N0} s)");
            }
        }
        finally
        {
            if (template is not null)
                await engine.CleanUpAsync(template);
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }

        var tiering = ChildEnvironment.TryGetValue("DOTNET_TieredCompilation", out var set) ? set : Environment.GetEnvironmentVariable("DOTNET_TieredCompilation");
        Console.WriteLine($"Pipeline bench, {description}; {Machine()}; measuring processes with DOTNET_TieredCompilation={tiering}; " +
                          $"load average {loadBefore} before, {LoadAverage()} after; {total.Elapsed.TotalMinutes:N1} min in all.");
        Console.WriteLine();
        PrintTable(results, failures, options.Scenarios);
        Console.WriteLine();
        PrintDetails(results);
        return failures.Count == 0 ? 0 : 1;
    }

    private static void Relay(string line) => Console.Error.WriteLine(line);

    private static void PrintTable(List<ScenarioResult> results, Dictionary<string, string> failures, IReadOnlyList<string> scenarios)
    {
        Console.WriteLine("| # | scenario | rows | runs | median | raw floor | ratio | target | met | peak working set |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---|---|---:|");
        var inviteMedian = results.FirstOrDefault(r => r.Id == "3") is { } three ? PipelineScenarios.Median(three.Times) : (double?)null;
        foreach (var scenario in scenarios)
        {
            if (failures.TryGetValue(scenario, out var failure))
            {
                Console.WriteLine($"| {scenario} | failed: {failure.Replace('|', '/')} | | | | | | | | |");
                continue;
            }
            foreach (var r in results.Where(r => r.Id.StartsWith(scenario, StringComparison.Ordinal)).OrderBy(r => r.Id, StringComparer.Ordinal))
            {
                var median = PipelineScenarios.Median(r.Times);
                double? floor = r.Floors.Length > 0 ? PipelineScenarios.Median(r.Floors) : null;
                var ratio = floor is { } f && f > 0 ? median / f : (double?)null;
                var (target, met) = Target(r.Id, median, ratio, r.PeakMb, inviteMedian);
                var floorText = floor is { } value ? $"{PipelineScenarios.Show(value)} ({r.FloorKind})" : "—";
                Console.WriteLine($"| {r.Id} | {r.Name} | {r.Rows:N0} | {r.Times.Length} | {PipelineScenarios.Show(median)} | {floorText} | " +
                                  $"{(ratio is { } x ? $"{x:N1}×" : "—")} | {target} | {(met is null ? "—" : met.Value ? "yes" : "**no**")} | {r.PeakMb:N0} MB |");
            }
        }
    }

    /// <summary>The performance targets (docs/performance.md).</summary>
    private static (string Target, bool? Met) Target(string id, double median, double? ratio, double peakMb, double? inviteMedian) => id[..1] switch
    {
        "1" => ("≤ 10× raw parse", ratio <= 10),
        "2" => ("≤ 0.15 s end to end", median <= 0.15),
        "3" => ("≤ 2× floor", ratio <= 2),
        "4" => ("≤ 5 s, peak ≤ 300 MB", median <= 5 && peakMb <= 300),
        "5" => (inviteMedian is { } three ? $"≤ scenario 3 ({PipelineScenarios.Show(three)})" : "≤ scenario 3", inviteMedian is { } limit ? median <= limit : null),
        "6" => ("≤ 0.3 s", median <= 0.3),
        "7" => ("≤ 50 ms", median <= 0.05),
        _ => ("—", null),
    };

    private static void PrintDetails(List<ScenarioResult> results)
    {
        Console.WriteLine("| # | where the time went (medians; from the start of the commit) |");
        Console.WriteLine("|---|---|");
        foreach (var r in results.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            var parts = new List<string> { $"fastest {PipelineScenarios.Show(r.Times.Min())}, slowest {PipelineScenarios.Show(r.Times.Max())}" };
            foreach (var (name, values) in r.Details)
            {
                var median = PipelineScenarios.Median(values);
                parts.Add(name switch
                {
                    "invitations" or "matches" or PipelineScenarios.SqlCount => $"{name} {median:N0}",
                    PipelineScenarios.Allocated => $"{name} {median:N1}",
                    PipelineScenarios.Collections => $"{name} {values.Average():N2} a run",
                    PipelineScenarios.Paused => $"{name} {PipelineScenarios.Show(values.Average())} a run on average",
                    _ => $"{name} {PipelineScenarios.Show(median)}",
                });
            }
            Console.WriteLine($"| {r.Id} | {string.Join("; ", parts)} |");
        }
    }

    private static string Machine()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024;
        return $"{Environment.ProcessorCount} cores{(cpu is null ? "" : $" ({cpu})")}, {memory:N0} GB, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}";
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private sealed record Options(string? Command, string Provider, int? Runs, IReadOnlyList<string> Scenarios, string? Folder, string? RunId, string? Template, string? Error)
    {
        public static Options Parse(string[] args)
        {
            string? command = args is [("prepare" or "run") and var first, ..] ? first : null;
            var provider = "sqlite";
            int? runs = null;
            IReadOnlyList<string> scenarios = AllScenarios;
            string? folder = null, runId = null, template = null;
            for (var i = command is null ? 0 : 1; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                try
                {
                    switch (args[i])
                    {
                        case "--provider": provider = Value().ToLowerInvariant(); break;
                        case "--runs": runs = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                        case "--scenarios": scenarios = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                        case "--work": folder = Value(); break;
                        case "--run": runId = Value(); break;
                        case "--template": template = Value(); break;
                        default: return new Options(command, provider, runs, scenarios, folder, runId, template, $"Unknown argument {args[i]}.");
                    }
                }
                catch (Exception e) when (e is ArgumentException or FormatException)
                {
                    return new Options(command, provider, runs, scenarios, folder, runId, template, e.Message);
                }
            }
            string? error = null;
            if (provider is not ("sqlite" or "postgresql"))
                error = $"--provider is \"{provider}\"; use sqlite or postgresql.";
            else if (scenarios.FirstOrDefault(s => !AllScenarios.Contains(s)) is { } unknown)
                error = $"There is no scenario {unknown}; they are 1 to 7.";
            else if (runs is < 1)
                error = "--runs is at least 1.";
            return new Options(command, provider, runs, scenarios, folder, runId, template, error);
        }
    }
}
