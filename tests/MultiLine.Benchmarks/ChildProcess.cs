using System.Diagnostics;

namespace MultiLine.Benchmarks;

/// <summary>What a child run of this program printed, and how it ended.</summary>
public sealed record ChildResult(int ExitCode, string Output, string Errors)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Why it failed, in a few lines: the end of what it wrote to standard error, else its exit code.</summary>
    public string Failure()
    {
        if (ExitCode == 0)
            return $"it ended without a result; it printed \"{Output.Trim().Split('\n')[0].Trim()}\"";
        var lines = Errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var tail = lines.Length == 0 ? "" : ": " + string.Join(" / ", lines.Where(l => !l.StartsWith("at ", StringComparison.Ordinal)).Take(3));
        return $"exit code {ExitCode}{tail}";
    }
}

/// <summary>
/// Runs this benchmark program again in a fresh process (so a measurement's peak memory and JIT state are its own),
/// whichever way this one was started.
/// </summary>
/// <remarks>
/// <c>dotnet run</c> starts the app host (<c>bin/…/MultiLine.Benchmarks</c>), which takes the program's arguments
/// directly; <c>dotnet MultiLine.Benchmarks.dll</c> (or <c>dotnet exec …</c>) starts the shared host, which needs the
/// dll first. The first version of the batch bench always passed the dll, so under <c>dotnet run</c> the child read
/// the dll's path as its command, fell through to BenchmarkDotNet and every scenario printed "failed". The test is
/// "is this process our own app host?" rather than "is it named dotnet?", and a child that fails says why.
/// </remarks>
public static class ChildProcess
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        var program = typeof(ChildProcess).Assembly.Location;
        // Whole file names: the app host "MultiLine.Benchmarks" has no extension, yet GetFileNameWithoutExtension
        // would cut it to "MultiLine".
        var appHost = Path.GetFileName(program)[..^".dll".Length] + (OperatingSystem.IsWindows() ? ".exe" : "");
        var isAppHost = string.Equals(Path.GetFileName(processPath), appHost, StringComparison.OrdinalIgnoreCase);
        var start = new ProcessStartInfo(processPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!isAppHost)
            start.ArgumentList.Add(program);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        return start;
    }

    /// <summary>
    /// Runs the child to its end. <paramref name="progress"/> gets each line it writes to standard error as it comes;
    /// <paramref name="environment"/> adds to the environment it inherits.
    /// </summary>
    public static async Task<ChildResult> RunAsync(IEnumerable<string> arguments, Action<string>? progress = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var child = Process.Start(StartInfo(arguments, environment)) ?? throw new InvalidOperationException("The child process did not start.");
        var errors = new System.Text.StringBuilder();
        var errorsDone = Task.Run(async () =>
        {
            while (await child.StandardError.ReadLineAsync() is { } line)
            {
                errors.AppendLine(line);
                progress?.Invoke(line);
            }
        });
        var output = await child.StandardOutput.ReadToEndAsync();
        await errorsDone;
        await child.WaitForExitAsync();
        return new ChildResult(child.ExitCode, output, errors.ToString());
    }
}
