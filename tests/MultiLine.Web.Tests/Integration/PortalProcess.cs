using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace MultiLine.Web.Tests.Integration;

/// <summary>
/// The real portal in a process of its own (the app built beside the tests), on a given database and settings, so a
/// test can kill it outright as a crash or a power cut would, or stop it the way a service manager does.
/// </summary>
internal sealed class PortalProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PortalProcess(Process process) => _process = process;

    /// <summary>What the portal wrote to its console, for failure messages.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <param name="settings">Configuration, as environment variables; <c>ASPNETCORE_URLS</c> may be given here too.</param>
    /// <param name="appFolder">Where the app is (a published copy); by default the app built beside the tests.</param>
    /// <param name="workingDirectory">The process's working directory; by default the app's folder.</param>
    public static PortalProcess Start(IReadOnlyDictionary<string, string> settings, string? appFolder = null, string? workingDirectory = null)
    {
        var folder = appFolder ?? AppContext.BaseDirectory;
        // Through the dotnet host, as a published app is usually started: `dotnet MultiLine.Web.dll`.
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "MultiLine.Web.dll")])
        {
            WorkingDirectory = workingDirectory ?? folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // "Now listening on: …" tells Listening the address, even with port 0.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in settings)
            start.Environment[key.Replace(":", "__")] = value;
        var portal = new PortalProcess(Process.Start(start)!);
        portal._process.OutputDataReceived += (_, e) => portal.Append(e.Data);
        portal._process.ErrorDataReceived += (_, e) => portal.Append(e.Data);
        portal._process.BeginOutputReadLine();
        portal._process.BeginErrorReadLine();
        return portal;
    }

    /// <summary>The address the portal listens on, once it says so; fails if it exits first.</summary>
    public async Task<Uri> ListeningAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var done = await Task.WhenAny(_listening.Task, exited).WaitAsync(timeout);
        return done == _listening.Task
            ? await _listening.Task
            : throw new InvalidOperationException($"The portal exited with {_process.ExitCode} before listening:\n{Output}");
    }

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL: the process ends at once, in the middle of whatever it was doing.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGTERM: the host stops its services and exits, as under systemd or Docker.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (Terminate(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"Could not signal the portal process: error {Marshal.GetLastPInvokeError()}.");
        await WaitForExitAsync(timeout);
    }

    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout);

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
        if (line.Trim() is var text && text.StartsWith("Now listening on: ", StringComparison.Ordinal))
            _listening.TrySetResult(new Uri(text["Now listening on: ".Length..]));
    }

    // DllImport rather than LibraryImport: the generated stub needs unsafe code, and kill(2) takes two ints.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Terminate(int processId, int signal);

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
    }
}
