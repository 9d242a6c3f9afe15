using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MultiLine.Benchmarks.Pipeline;

/// <summary>
/// Counts the SQL commands EF Core runs in this process and adds up their durations (from sending a command until it
/// has executed; for a query, until its first row can be read), through EF Core's DiagnosticListener, so the table can
/// say where the time went. Commands the app runs on its own connections outside EF Core are not counted.
/// </summary>
public sealed class SqlCommands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private static readonly SqlCommands Instance = new();
    private static int _subscribed;
    private long _count;

    /// <summary>Every command's duration and text, when MULTILINE_BENCH_SQL_LOG names a file: to see where the time went.</summary>
    private static readonly StreamWriter? Log = Environment.GetEnvironmentVariable("MULTILINE_BENCH_SQL_LOG") is { Length: > 0 } path
        ? new StreamWriter(path, append: true) { AutoFlush = true }
        : null;
    private long _ticks;

    /// <summary>Starts counting from zero.</summary>
    public static void Reset()
    {
        if (Interlocked.Exchange(ref _subscribed, 1) == 0)
            DiagnosticListener.AllListeners.Subscribe(Instance);
        Interlocked.Exchange(ref Instance._count, 0);
        Interlocked.Exchange(ref Instance._ticks, 0);
    }

    /// <summary>Commands since <see cref="Reset"/>, and their summed duration in seconds (commands running side by side add up).</summary>
    public static (long Count, double Seconds) Read() =>
        (Interlocked.Read(ref Instance._count), TimeSpan.FromTicks(Interlocked.Read(ref Instance._ticks)).TotalSeconds);

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            listener.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name || name == RelationalEventId.CommandError.Name);
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is CommandEndEventData ended)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _ticks, ended.Duration.Ticks);
            if (Log is { } log)
                lock (log)
                    log.WriteLine($"{ended.Duration.TotalMilliseconds:F2} ms\t{ended.Command.CommandText.ReplaceLineEndings(" ")[..Math.Min(160, ended.Command.CommandText.Length)]}");
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted() { }
    void IObserver<DiagnosticListener>.OnError(Exception error) { }
    void IObserver<KeyValuePair<string, object?>>.OnCompleted() { }
    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error) { }
}
