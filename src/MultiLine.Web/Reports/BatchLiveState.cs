using MultiLine.Core.Batches;

namespace MultiLine.Web.Reports;

/// <summary>
/// What a live batch view shows, built from a snapshot plus events. Events may repeat what the snapshot holds
/// (the view subscribes before it reads), and a view whose events stopped reads snapshots again, so rows are kept once
/// by row number, counts only move forward and a finished batch stays finished.
/// </summary>
public sealed class BatchLiveState(TimeProvider clock)
{
    public const int MaxRecentRows = 50;
    private readonly Lock _gate = new();
    private readonly LinkedList<BatchRowView> _recent = new();
    private readonly HashSet<int> _seen = [];
    private (DateTime At, int Processed)? _rateStart;

    public BatchSummary? Batch { get; private set; }
    public BatchCounts Counts { get; private set; } = new(0, 0, 0, 0);

    /// <summary>Rows per second since this view started watching, once there is enough to tell.</summary>
    public double? RowsPerSecond { get; private set; }

    public TimeSpan? TimeLeft => RowsPerSecond is > 0 && !IsFinished
        ? TimeSpan.FromSeconds((Counts.Total - Counts.Processed) / RowsPerSecond.Value)
        : null;

    public bool IsFinished => Batch?.IsFinished == true;

    /// <summary>At least one row has its outcome: until then the batch is only starting.</summary>
    public bool HasStarted => Counts.Processed > 0;

    public IReadOnlyList<BatchRowView> RecentRows
    {
        get { lock (_gate) return _recent.ToList(); }
    }

    public void Apply(BatchSnapshot snapshot)
    {
        lock (_gate)
        {
            // A snapshot read again while events resumed may be older than they are: it never takes a finished
            // batch back to running, and its counts only count when they are further on.
            if (Batch is not { IsFinished: true } || snapshot.Batch.IsFinished)
                Batch = snapshot.Batch with { Counts = Counts };
            Advance(snapshot.Batch.Counts);
            foreach (var row in snapshot.RecentRows.Reverse())
                AddRow(row);
        }
    }

    public void Apply(BatchEvent batchEvent)
    {
        lock (_gate)
        {
            switch (batchEvent)
            {
                case RowProcessed row:
                    AddRow(new BatchRowView(row.RowNumber, row.Username, null, row.Outcome, row.Reason, row.Number, null));
                    Advance(row.Counts);
                    break;
                case BatchStateChanged state when Batch is not null:
                    Batch = Batch with { State = state.State, StartedAtUtc = state.StartedAtUtc, FinishedAtUtc = state.FinishedAtUtc, FailureReason = state.FailureReason };
                    Advance(state.Counts);
                    break;
            }
        }
    }

    private void AddRow(BatchRowView row)
    {
        if (!_seen.Add(row.RowNumber))
            return;
        _recent.AddFirst(row);
        while (_recent.Count > MaxRecentRows)
            _recent.RemoveLast();
    }

    private void Advance(BatchCounts counts)
    {
        if (counts.Processed < Counts.Processed)
            return;
        Counts = counts;
        if (Batch is not null)
            Batch = Batch with { Counts = counts };
        var now = clock.GetUtcNow().UtcDateTime;
        _rateStart ??= (now, counts.Processed);
        var seconds = (now - _rateStart.Value.At).TotalSeconds;
        if (seconds >= 0.5)
            RowsPerSecond = (counts.Processed - _rateStart.Value.Processed) / seconds;
    }
}
