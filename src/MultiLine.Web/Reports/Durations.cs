namespace MultiLine.Web.Reports;

/// <summary>Durations the way people say them: "4 s", "2 min 5 s", "1 h 3 min".</summary>
public static class Durations
{
    public static string Format(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 1 => "under a second",
        < 60 => $"{Math.Round(duration.TotalSeconds)} s",
        < 3600 => $"{(int)duration.TotalMinutes} min {duration.Seconds} s",
        _ => $"{(int)duration.TotalHours} h {duration.Minutes} min",
    };
}
