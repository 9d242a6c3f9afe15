using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Batches;

namespace MultiLine.Core.Persistence;

/// <summary>Batch operations and their rows.</summary>
public partial class MultiLineDbContext
{
    public DbSet<BatchOperation> Batches => Set<BatchOperation>();
    public DbSet<BatchRow> BatchRows => Set<BatchRow>();

    private void ConfigureBatches(ModelBuilder model)
    {
        model.Entity<BatchOperation>(e =>
        {
            e.ToTable("Batches");
            e.Property(b => b.AdminName).HasMaxLength(200);
            e.Property(b => b.FileName).HasMaxLength(260);
            e.Property(b => b.FileSha256).HasMaxLength(64);
            e.Property(b => b.Options).HasMaxLength(4000);
            e.Property(b => b.FailureReason).HasMaxLength(2000);
            e.Property(b => b.ClaimedBy).HasMaxLength(200);
            e.Property(b => b.CancelledBy).HasMaxLength(200);
            e.HasIndex(b => b.State);
            e.HasIndex(b => b.FileSha256);
            e.HasIndex(b => new { b.OrganizationId, b.CreatedAtUtc });
            // An import is undone at most once, whatever two admins do at the same moment.
            e.HasIndex(b => b.UndoOfBatchId).IsUnique().HasFilter("\"UndoOfBatchId\" IS NOT NULL");
            e.Ignore(b => b.Processed);
            e.Ignore(b => b.IsFinished);
            e.HasOne(b => b.Organization).WithMany().HasForeignKey(b => b.OrganizationId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(b => b.PermissionGroup).WithMany().HasForeignKey(b => b.PermissionGroupId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(b => b.Rows).WithOne().HasForeignKey(r => r.BatchOperationId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(b => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(b.OrganizationId));
        });

        model.Entity<BatchRow>(e =>
        {
            e.HasIndex(r => new { r.BatchOperationId, r.RowNumber }).IsUnique();
            e.HasIndex(r => new { r.BatchOperationId, r.Outcome, r.RowNumber });
            // The account panel lists the batches that created or acted on an account.
            // Partial: most rows of an import have no account until processed and never a target, so inserting the rows
            // and recording their outcomes do not pay for entries no lookup ever reads.
            e.HasIndex(r => r.AccountId).HasFilter("\"AccountId\" IS NOT NULL");
            e.HasIndex(r => r.TargetAccountId).HasFilter("\"TargetAccountId\" IS NOT NULL");
            e.Property(r => r.FirstName).HasMaxLength(BatchRow.MaxNameLength);
            e.Property(r => r.LastName).HasMaxLength(BatchRow.MaxNameLength);
            e.Property(r => r.Username).HasMaxLength(BatchRow.MaxUsernameLength);
            e.Property(r => r.NormalizedUsername).HasMaxLength(254);
            e.Property(r => r.MultiLineNumber).HasMaxLength(BatchRow.MaxNumberLength);
            e.Property(r => r.ForwardingNumber).HasMaxLength(64);
            e.Property(r => r.Reason).HasMaxLength(BatchRow.MaxReasonLength);
            e.Property(r => r.Number).HasMaxLength(16);
            e.HasOne<Invitations.Invitation>().WithMany().HasForeignKey(r => r.InvitationId).OnDelete(DeleteBehavior.SetNull);
        });
    }
}
