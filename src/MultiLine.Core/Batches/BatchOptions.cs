using System.ComponentModel.DataAnnotations;

namespace MultiLine.Core.Batches;

/// <summary>How the hosted batch service works through batches.</summary>
public sealed class BatchOptions
{
    public const string Section = "Batches";

    /// <summary>
    /// Rows committed together (after a first group of 10 that doubles up to this), each group written set-based. 1,000 by
    /// measurement (docs/performance.md): a 1,000-row import took 0.26 s with 500 against 0.42–1.2 s with 50; for a
    /// 100,000-row import 1,000 took the worker 15–25 % less time than 500 (fewer commits and per-group statements, and
    /// SQLite writes each index page once per group), while 2,000 gained a little more but took the peak working set
    /// past 300 MB. A group holds SQLite's write lock for ~15 ms.
    /// </summary>
    [Range(1, 5000)]
    public int RowsPerTransaction { get; set; } = 1000;

    /// <summary>Batches this instance runs at the same time.</summary>
    [Range(1, 16)]
    public int MaxConcurrentBatches { get; set; } = 2;

    /// <summary>How long a worker's claim on a batch holds without renewal; another instance may take over after it.</summary>
    [Range(5, 3600)]
    public int ClaimSeconds { get; set; } = 60;

    /// <summary>How often the database is checked for batches queued by other instances or left behind.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>
    /// How long a live view of a running batch waits without events before it reads the batch from the database
    /// instead, and how often it reads again until events resume or the batch finishes: a relay between instances that
    /// drops out never freezes a page.
    /// </summary>
    [Range(1, 300)]
    public int LiveFallbackSeconds { get; set; } = 5;

    public TimeSpan LiveFallbackPeriod => TimeSpan.FromSeconds(LiveFallbackSeconds);

    /// <summary>
    /// The summary email to the designated admins attaches the batch's report up to this many rows; a larger report
    /// (about 100 bytes a row) is linked instead, since mail servers commonly refuse messages over 10–25 MB and writing it
    /// held the batch's last transaction open (1.3 s for 100,000 rows).
    /// </summary>
    [Range(0, 1_000_000)]
    public int AttachReportUpToRows { get; set; } = 10_000;

    /// <summary>Identifies this instance in claims. The default is stable across restarts of one machine, so a restarted app resumes its own batches at once.</summary>
    public string WorkerId { get; set; } = Environment.MachineName;
}
