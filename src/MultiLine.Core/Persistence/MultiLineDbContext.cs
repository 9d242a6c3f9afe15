using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Persistence;

/// <summary>
/// The portal's database. Every context carries an <see cref="AdminScope"/>; query filters apply it, so a read
/// cannot forget the admin's organization scope. A new context sees no organization (<see cref="AdminScope.None"/>)
/// until <see cref="ScopedDbContextFactory"/> gives it the signed-in admin's scope or
/// <see cref="SystemDbContextFactory"/> the system's; nothing outside this library can widen a context's scope.
/// </summary>
public partial class MultiLineDbContext(DbContextOptions<MultiLineDbContext> options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>Subtree the queries are limited to; null for all organizations. Set by the scoped factory.</summary>
    public string? ScopePath { get; private set; }

    public AdminScope Scope { get; private set; } = AdminScope.None;

    internal MultiLineDbContext WithScope(AdminScope scope)
    {
        Scope = scope;
        ScopePath = scope.OrganizationPath;
        return this;
    }

    /// <summary>
    /// The rows of <typeparamref name="T"/> this context's scope may see, for lists and counts that want no join
    /// they do not need. A scope of all organizations has nothing to filter, so the scope filter (and the join it
    /// takes) is left out; every other scope keeps it, sub-queries included. This is the only place that switches
    /// query filters off: a test fails the build of any other.
    /// </summary>
    public IQueryable<T> Visible<T>() where T : class =>
        Scope.SeesAllOrganizations ? Set<T>().IgnoreQueryFilters() : Set<T>();

    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<PermissionGroup> PermissionGroups => Set<PermissionGroup>();
    public DbSet<MultiLineNumber> Numbers => Set<MultiLineNumber>();
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Admin> Admins => Set<Admin>();
    public DbSet<Role> Roles => Set<Role>();
    public DbSet<AdminSession> AdminSessions => Set<AdminSession>();
    public DbSet<SignInThrottle> SignInThrottles => Set<SignInThrottle>();

    /// <summary>ASP.NET Core data-protection keys, shared by every instance so cookies and antiforgery tokens survive restarts.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void ConfigureConventions(ModelConfigurationBuilder conventions)
    {
        // Every DateTime is UTC: written as UTC whatever its Kind, read back as Kind=Utc from every engine
        // (SQLite hands back Unspecified; PostgreSQL's timestamptz refuses anything but Utc).
        conventions.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        conventions.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder model)
    {
        // The first filter is a scope path that is never a prefix (AdminScope.None) until a factory sets the scope.
        model.Entity<Organization>(e =>
        {
            e.Property(o => o.Name).HasMaxLength(200);
            e.HasIndex(o => o.Name).IsUnique();
            e.Property(o => o.Path).HasMaxLength(400);
            e.HasIndex(o => o.Path);
            e.HasOne(o => o.Parent).WithMany().HasForeignKey(o => o.ParentId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(o => ScopePath == null || o.Path.StartsWith(ScopePath));
        });

        model.Entity<PermissionGroup>(e =>
        {
            e.Property(g => g.Name).HasMaxLength(100);
            e.HasIndex(g => new { g.OrganizationId, g.Name }).IsUnique();
            // At most one default per defining organization.
            e.HasIndex(g => g.OrganizationId).IsUnique().HasFilter("\"IsDefault\"").HasDatabaseName("IX_PermissionGroups_OneDefault");
            e.HasOne(g => g.Organization).WithMany(o => o.PermissionGroups).HasForeignKey(g => g.OrganizationId);
        });

        model.Entity<MultiLineNumber>(e =>
        {
            e.ToTable("Numbers");
            e.Property(n => n.E164).HasMaxLength(16);
            e.HasIndex(n => n.E164).IsUnique();
            // Covers the count of an organization's Available numbers nobody holds (free capacity, activation's list).
            e.HasIndex(n => new { n.OrganizationId, n.State, n.AccountId });
            // One number per account; the column itself makes it one account per number.
            e.HasIndex(n => n.AccountId).IsUnique();
            e.Property(n => n.ReservationTag).HasMaxLength(40);
            e.HasOne(n => n.Organization).WithMany().HasForeignKey(n => n.OrganizationId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(n => n.Account).WithOne(a => a.Number).HasForeignKey<MultiLineNumber>(n => n.AccountId).OnDelete(DeleteBehavior.SetNull);
            e.HasQueryFilter(n => ScopePath == null || n.Organization!.Path.StartsWith(ScopePath));
        });

        model.Entity<Account>(e =>
        {
            e.Property(a => a.FirstName).HasMaxLength(64);
            e.Property(a => a.LastName).HasMaxLength(64);
            e.Property(a => a.Username).HasMaxLength(254);
            e.Property(a => a.NormalizedUsername).HasMaxLength(254);
            e.HasIndex(a => a.NormalizedUsername).IsUnique();
            // Free capacity counts an organization's pending accounts that hold no number from this index alone.
            e.HasIndex(a => new { a.OrganizationId, a.Status, a.HoldsNumber });
            // The database keeps HoldsNumber (triggers on Numbers, created by each engine's migration); the app never writes it.
            e.Property(a => a.HoldsNumber).HasDefaultValue(false).ValueGeneratedNever();
            e.Property(a => a.HoldsNumber).Metadata.SetBeforeSaveBehavior(PropertySaveBehavior.Ignore);
            e.Property(a => a.HoldsNumber).Metadata.SetAfterSaveBehavior(PropertySaveBehavior.Ignore);
            e.HasIndex(a => new { a.LastName, a.FirstName });
            e.Property(a => a.ForwardingNumber).HasMaxLength(24);
            e.Property(a => a.InvitationError).HasMaxLength(1000);
            e.Ignore(a => a.DisplayName);
            e.HasOne(a => a.Organization).WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(a => a.PermissionGroup).WithMany().HasForeignKey(a => a.PermissionGroupId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(a => ScopePath == null || a.Organization!.Path.StartsWith(ScopePath));
        });

        model.Entity<Admin>(e =>
        {
            e.Property(a => a.Email).HasMaxLength(254);
            e.Property(a => a.NormalizedEmail).HasMaxLength(254);
            e.HasIndex(a => a.NormalizedEmail).IsUnique();
            e.Property(a => a.DisplayName).HasMaxLength(200);
            e.HasOne(a => a.Role).WithMany().HasForeignKey(a => a.RoleId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(a => a.ScopeOrganization).WithMany().HasForeignKey(a => a.ScopeOrganizationId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<Role>(e =>
        {
            e.Property(r => r.Name).HasMaxLength(100);
            e.HasIndex(r => r.Name).IsUnique();
        });

        model.Entity<AdminSession>(e =>
        {
            e.Property(s => s.Id).HasMaxLength(64);
            e.Property(s => s.Fingerprint).HasMaxLength(64);
            e.HasIndex(s => s.AdminId);
            e.HasOne(s => s.Admin).WithMany().HasForeignKey(s => s.AdminId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<SignInThrottle>(e =>
        {
            e.HasKey(t => t.NormalizedEmail);
            e.Property(t => t.NormalizedEmail).HasMaxLength(254);
        });

        ConfigureBatches(model);
        ConfigureInvitations(model);
        ConfigureApi(model);
    }
}
