using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Persistence;
using MultiLine.Web.Admins;

namespace MultiLine.Web.Reports;

/// <summary>
/// Live progress of batches for SignalR clients. A client subscribes to one batch it may see and gets a snapshot
/// back; then "RowProcessed" for every row and "BatchStateChanged" when the batch starts and ends.
/// </summary>
[Authorize(Policy = BatchHub.WatchPolicy)]
public sealed class BatchHub(ScopedDbContextFactory data) : Hub
{
    public const string Path = "/hubs/batches";
    public const string WatchPolicy = "WatchBatches";

    public static string Group(int batchId) => $"batch-{batchId}";

    /// <summary>Joins the batch's group, then returns the snapshot, so nothing falls between the two (rows may repeat; row numbers tell).</summary>
    public async Task<BatchSnapshot> Subscribe(int batchId)
    {
        var scope = AdminClaims.ToScope(Context.User!);
        await using var db = await data.CreateAsync(scope, Context.ConnectionAborted);
        if (!await db.Batches.AnyAsync(b => b.Id == batchId, Context.ConnectionAborted))
            throw new HubException("That batch does not exist or is outside your scope.");
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(batchId), Context.ConnectionAborted);
        return (await BatchQueries.SnapshotAsync(db, batchId, Context.ConnectionAborted))!;
    }

    public Task Unsubscribe(int batchId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(batchId));
}
