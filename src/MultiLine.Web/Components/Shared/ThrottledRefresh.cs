namespace MultiLine.Web.Components.Shared;

/// <summary>
/// Runs a refresh at most once per interval, and only when something was marked since the last one: live views
/// repaint a few times a second however fast events arrive. Errors go to <paramref name="onError"/>
/// (a component's <c>DispatchExceptionAsync</c>). The timer runs on <paramref name="clock"/>, so tests move it.
/// </summary>
public sealed class ThrottledRefresh : IAsyncDisposable
{
    private readonly Func<Task> _refresh;
    private readonly Func<Exception, Task> _onError;
    private readonly ITimer _timer;
    private int _dirty;

    public ThrottledRefresh(TimeSpan interval, TimeProvider clock, Func<Task> refresh, Func<Exception, Task> onError)
    {
        _refresh = refresh;
        _onError = onError;
        _timer = clock.CreateTimer(_ => _ = TickAsync(), null, interval, interval);
    }

    /// <summary>Something changed: refresh at the next tick. Safe from any thread.</summary>
    public void MarkDirty() => Interlocked.Exchange(ref _dirty, 1);

    private async Task TickAsync()
    {
        if (Interlocked.Exchange(ref _dirty, 0) == 0)
            return;
        try
        {
            await _refresh();
        }
        catch (Exception exception)
        {
            await _onError(exception);
        }
    }

    public ValueTask DisposeAsync() => _timer.DisposeAsync();
}
