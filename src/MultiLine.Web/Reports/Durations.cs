using MultiLine.Core.Batches;

namespace MultiLine.Web.Reports;

/// <summary>Durations the way people say them: "4 s", "2 min 5 s", "1 h 3 min"; a running clock as "0:04".</summary>
public static class Durations
{
    /// <summary>How long something took, once it is over.</summary>
    public static string Format(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 1 => "under a second",
        < 60 => $"{Math.Round(duration.TotalSeconds)} s",
        < 3600 => $"{(int)duration.TotalMinutes} min {duration.Seconds} s",
        _ => $"{(int)duration.TotalHours} h {duration.Minutes} min",
    };

    /// <summary>Time so far on a running clock, in whole seconds: "0:04", "12:30", "1:02:03".</summary>
    public static string Elapsed(TimeSpan elapsed)
    {
        var seconds = Math.Max(0, (long)elapsed.TotalSeconds);
        return seconds < 3600
            ? $"{seconds / 60}:{seconds % 60:00}"
            : $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}";
    }

    /// <summary>
    /// What a batch's duration reads at <paramref name="utcNow"/>: how long it took once finished, the time so far while it
    /// runs, or null before it started.
    /// </summary>
    public static string? Of(BatchSummary batch, DateTime utcNow) => batch switch
    {
        { StartedAtUtc: not { } } => null,
        { IsFinished: true, FinishedAtUtc: { } finished } => Format(finished - batch.StartedAtUtc.Value),
        _ => Elapsed(utcNow - batch.StartedAtUtc.Value),
    };
}
