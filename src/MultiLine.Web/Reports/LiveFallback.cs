namespace MultiLine.Web.Reports;

/// <summary>
/// Keeps a live batch view moving when its events stop: with several instances the events come through a relay that
/// can drop out. Each event resets the quiet clock (<see cref="Heard"/>); after a quiet period without any,
/// <paramref name="read"/> re-reads what the view shows from the database, and again every quiet period until events
/// resume or <paramref name="read"/> says there is nothing left to watch. While events flow it reads nothing.
/// One timer on <paramref name="clock"/>, so tests move it; reads never overlap, and a failed read is logged and
/// tried again a quiet period later — the view keeps what it has and shows nothing alarming.
/// </summary>
public sealed class LiveFallback : IAsyncDisposable
{
    private readonly TimeSpan _quietPeriod;
    private readonly TimeProvider _clock;
    private readonly Func<CancellationToken, Task<bool>> _read;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _timer;
    private long _lastHeard;

    /// <param name="read">Re-reads and applies the database's state; returns false once there is nothing left to watch (the batch finished).</param>
    public LiveFallback(TimeSpan quietPeriod, TimeProvider clock, Func<CancellationToken, Task<bool>> read, ILogger logger)
    {
        _quietPeriod = quietPeriod;
        _clock = clock;
        _read = read;
        _logger = logger;
        _lastHeard = clock.GetTimestamp();
        // One shot, armed again when a check ends: checks never overlap, and the next is due a quiet period after the last event.
        _timer = clock.CreateTimer(_ => _ = CheckAsync(), null, quietPeriod, Timeout.InfiniteTimeSpan);
    }

    /// <summary>An event arrived: events flow, so nothing is read for another quiet period. Safe from any thread.</summary>
    public void Heard() => Interlocked.Exchange(ref _lastHeard, _clock.GetTimestamp());

    /// <summary>Nothing is left to watch (the batch finished): no more checks.</summary>
    public void Stop()
    {
        if (!_stopping.IsCancellationRequested)
            _stopping.Cancel();
    }

    private async Task CheckAsync()
    {
        if (_stopping.IsCancellationRequested)
            return;
        var next = _quietPeriod;
        try
        {
            var quiet = _clock.GetElapsedTime(Interlocked.Read(ref _lastHeard));
            if (quiet < _quietPeriod)
            {
                next = _quietPeriod - quiet;
                return;
            }
            if (!await _read(_stopping.Token))
                Stop();
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            _logger.LogWarning(exception, "Reading a live batch view from the database failed; trying again in {QuietPeriod}.", _quietPeriod);
        }
        catch (Exception)
        {
            // Disposed while reading: the view is gone.
        }
        finally
        {
            Arm(next);
        }
    }

    private void Arm(TimeSpan dueTime)
    {
        if (_stopping.IsCancellationRequested)
            return;
        try
        {
            _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _timer.DisposeAsync();
        _stopping.Dispose();
    }
}
