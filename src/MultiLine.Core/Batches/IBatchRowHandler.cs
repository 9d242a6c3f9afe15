using MultiLine.Core.Persistence;

namespace MultiLine.Core.Batches;

/// <summary>
/// Does the work of one kind of batch for a group of rows, inside the transaction the processor opened. It sets each
/// row's outcome; the processor saves, commits, counts and publishes.
/// </summary>
public interface IBatchRowHandler
{
    bool Handles(BatchKind kind);

    Task ProcessAsync(MultiLineDbContext db, BatchOperation batch, IReadOnlyList<BatchRow> rows, DateTime nowUtc, CancellationToken cancellationToken);
}
