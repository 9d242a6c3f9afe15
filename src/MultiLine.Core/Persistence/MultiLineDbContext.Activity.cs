using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;

namespace MultiLine.Core.Persistence;

/// <summary>The administrators' activity record.</summary>
public partial class MultiLineDbContext
{
    public DbSet<ActivityEntry> ActivityEntries => Set<ActivityEntry>();

    private void ConfigureActivity(ModelBuilder model)
    {
        model.Entity<ActivityEntry>(e =>
        {
            e.ToTable("ActivityEntries");
            e.Property(a => a.AdminName).HasMaxLength(200);
            e.Property(a => a.Action).HasMaxLength(64);
            e.Property(a => a.TargetId).HasMaxLength(64);
            e.Property(a => a.TargetName).HasMaxLength(ActivityEntry.MaxNameLength);
            e.Property(a => a.Details).HasMaxLength(ActivityEntry.MaxDetailsLength);
            e.Property(a => a.ClientIp).HasMaxLength(64);
            // An organization's record, newest first; and everything done to one target (the account panel).
            e.HasIndex(a => new { a.OrganizationId, a.AtUtc });
            e.HasIndex(a => new { a.TargetKind, a.TargetId, a.AtUtc });
            // The Administrator Activity report of an admin of all organizations (newest first, paged) and the retention sweep.
            e.HasIndex(a => a.AtUtc);
            // No foreign keys: an entry outlives what it names (a deleted account, a removed admin).
            e.HasQueryFilter(a => EF.Constant(SeesAllOrganizations) || (a.OrganizationId != null && ScopeOrganizationIds.Contains(a.OrganizationId.Value)));
        });
    }
}
