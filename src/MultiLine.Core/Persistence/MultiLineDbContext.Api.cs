using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Admins;

namespace MultiLine.Core.Persistence;

/// <summary>Personal API tokens of admins.</summary>
public partial class MultiLineDbContext
{
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    private void ConfigureApi(ModelBuilder model)
    {
        model.Entity<ApiToken>(e =>
        {
            e.Property(t => t.Name).HasMaxLength(100);
            e.Property(t => t.TokenHash).HasMaxLength(64);
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.Property(t => t.Prefix).HasMaxLength(20);
            e.HasIndex(t => t.AdminId);
            e.HasOne(t => t.Admin).WithMany().HasForeignKey(t => t.AdminId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
