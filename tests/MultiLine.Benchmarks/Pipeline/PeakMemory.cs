using System.Diagnostics;

namespace MultiLine.Benchmarks.Pipeline;

/// <summary>
/// The process's peak working set over one measured run. On Linux the kernel's own high-water mark (<c>VmHWM</c>) is
/// reset before the run and read after it, so no short peak is missed; elsewhere the working set is sampled every 10 ms.
/// </summary>
public sealed class PeakMemory : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private readonly bool _kernelPeak;
    private long _sampled;

    private PeakMemory()
    {
        _kernelPeak = TryResetKernelPeak();
        using (var process = Process.GetCurrentProcess())
            StartBytes = process.WorkingSet64;
        _sampler = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!_stop.IsCancellationRequested)
            {
                process.Refresh();
                _sampled = Math.Max(_sampled, process.WorkingSet64);
                try { await Task.Delay(10, _stop.Token); } catch (OperationCanceledException) { }
            }
        });
    }

    /// <summary>Starts measuring, after giving back to the system what earlier runs of the same process left (so runs do not inherit each other's heap).</summary>
    public static PeakMemory Start()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return new PeakMemory();
    }

    /// <summary>The working set when measuring started: what the process holds before the run (code, caches, the upload).</summary>
    public long StartBytes { get; }

    /// <summary>The peak so far, in bytes.</summary>
    public long Bytes => Math.Max(_sampled, _kernelPeak && KernelPeak() is { } peak ? peak : 0);

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        await _stop.CancelAsync();
        await _sampler;
        _stop.Dispose();
    }

    private static bool TryResetKernelPeak()
    {
        try
        {
            // "5" resets the peak resident set size to the current one (Linux 4.0 and later).
            File.WriteAllText("/proc/self/clear_refs", "5");
            return KernelPeak() is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static long? KernelPeak()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0]) * 1024;
        return null;
    }
}
