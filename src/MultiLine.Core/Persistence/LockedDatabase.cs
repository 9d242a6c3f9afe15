namespace MultiLine.Core.Persistence;

/// <summary>
/// Runs a write again while the database refuses it only because another writer holds it past the busy timeout
/// (<see cref="IDatabaseEngine.IsBusy"/>, SQLite's "database is locked"), waiting 50 ms, then twice as long each time, at
/// most 5 s. A loop rather than Polly: Polly skips the call once its token is cancelled, and the outbox's result write
/// runs even while the host stops (only its waits end with <paramref name="waitToken"/>).
/// </summary>
internal static class LockedDatabase
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(5);

    public static async Task<T> RetryAsync<T>(IDatabaseEngine engine, TimeProvider clock, Func<Task<T>> write, Action<TimeSpan>? retrying, CancellationToken waitToken)
    {
        for (var delay = FirstDelay; ; delay = delay * 2 < LongestDelay ? delay * 2 : LongestDelay)
        {
            try
            {
                return await write();
            }
            catch (Exception e) when (engine.IsBusy(e))
            {
                retrying?.Invoke(delay);
                await Task.Delay(delay, clock, waitToken);
            }
        }
    }
}
