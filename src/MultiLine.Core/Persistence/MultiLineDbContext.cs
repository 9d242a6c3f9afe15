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
    public string? ScopePath { get; private set; } = AdminScope.None.OrganizationPath;

    public AdminScope Scope { get; private set; } = AdminScope.None;

    /// <summary>The engine the context's options were built for; null only for options built without the engine's helper.</summary>
    internal IDatabaseEngine? Engine { get; } = options.FindExtension<DatabaseEngineOptionsExtension>()?.Engine;

    /// <summary>
    /// The ids of the organizations in the scope's subtree, read once when the scope is set (organizations are few):
    /// every filter but the organizations' own compares a row's organization id with this list, so the
    /// (OrganizationId, …) indexes serve scoped reads instead of a join on the organizations' paths. Empty until read,
    /// and for <see cref="AdminScope.None"/>; unused when the scope sees all organizations. Private: nothing can widen it.
    /// </summary>
    private int[] ScopeOrganizationIds { get; set; } = [];

    // Inlined into the SQL as a constant (EF.Constant in the filters), so a scoped query reads "OrganizationId IN (…)"
    // with nothing OR-ed to it: SQLite plans before it sees parameter values and would not use the index behind
    // "@seesAll OR OrganizationId IN (…)". Each value gets its own cached SQL.
    private bool SeesAllOrganizations => Scope.SeesAllOrganizations;

    /// <summary>Gives the context its scope and reads the scope's organizations (for tests and the system's scope).</summary>
    internal MultiLineDbContext WithScope(AdminScope scope)
    {
        SetScope(scope);
        if (ScopeReadsOrganizations)
            ScopeOrganizationIds = [.. Organizations.Select(o => o.Id)];
        return this;
    }

    /// <summary>Gives the context its scope and reads the scope's organizations.</summary>
    internal async Task<MultiLineDbContext> WithScopeAsync(AdminScope scope, CancellationToken cancellationToken = default)
    {
        SetScope(scope);
        if (ScopeReadsOrganizations)
            ScopeOrganizationIds = [.. await Organizations.Select(o => o.Id).ToListAsync(cancellationToken)];
        return this;
    }

    private void SetScope(AdminScope scope)
    {
        Scope = scope;
        ScopePath = scope.OrganizationPath;
        // Empty until read: a context whose read failed sees nothing, never everything.
        ScopeOrganizationIds = [];
    }

    // The organizations' own filter is their path; None's path is never a prefix, so it has nothing to read.
    private bool ScopeReadsOrganizations => !Scope.SeesAllOrganizations && ScopePath != AdminScope.None.OrganizationPath;

    /// <summary>
    /// An organization this context adds, moves or removes changes its scope's list: it is read again after the save,
    /// so an operation that creates a sub-organization sees what it then puts there.
    /// </summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        var organizationsChanged = ScopeNeedsReadAfterSave();
        var saved = base.SaveChanges(acceptAllChangesOnSuccess);
        if (organizationsChanged)
            ScopeOrganizationIds = [.. Organizations.Select(o => o.Id)];
        return saved;
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var organizationsChanged = ScopeNeedsReadAfterSave();
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        if (organizationsChanged)
            ScopeOrganizationIds = [.. await Organizations.Select(o => o.Id).ToListAsync(cancellationToken)];
        return saved;
    }

    private bool ScopeNeedsReadAfterSave() =>
        ScopeReadsOrganizations
        && ChangeTracker.Entries<Organization>().Any(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted);

    /// <summary>
    /// The rows of <typeparamref name="T"/> this context's scope may see, for lists and counts that want no join
    /// they do not need. A scope of all organizations has nothing to filter, so the scope filter (and the join it
    /// takes) is left out; every other scope keeps it, sub-queries included. This is the only place that switches
    /// query filters off: a test fails the build of any other.
    /// </summary>
    public IQueryable<T> Visible<T>() where T : class =>
        Scope.SeesAllOrganizations ? Set<T>().IgnoreQueryFilters() : Set<T>();

    /// <summary>
    /// The active webhook endpoints of <paramref name="organizationIds"/>, whatever this context's scope. An event of an
    /// organization in an admin's scope (an invitation the admin's action failed) also goes to the endpoints of its
    /// ancestors, which that admin may not see. Internal and read only by <see cref="Webhooks.WebhookEvents"/>, which
    /// writes deliveries from it and never returns it to an admin.
    /// </summary>
    internal IQueryable<Webhooks.WebhookEndpoint> WebhookSubscribers(IReadOnlyCollection<int> organizationIds) =>
        WebhookEndpoints.IgnoreQueryFilters().AsNoTracking().Where(e => organizationIds.Contains(e.OrganizationId) && e.IsActive);

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
        // Organizations are filtered by their path (a context without a scope has None's, never a prefix); every other
        // scoped entity by its organization id in ScopeOrganizationIds, the organizations that filter lets through.
        model.Entity<Organization>(e =>
        {
            e.Property(o => o.Name).HasMaxLength(200);
            e.HasIndex(o => o.Name).IsUnique();
            e.Property(o => o.Path).HasMaxLength(400);
            e.HasIndex(o => o.Path);
            e.HasOne(o => o.Parent).WithMany().HasForeignKey(o => o.ParentId).OnDelete(DeleteBehavior.Restrict);
            // A group chosen as some organization's default cannot be deleted from under it.
            e.HasOne<PermissionGroup>().WithMany().HasForeignKey(o => o.DefaultPermissionGroupId).OnDelete(DeleteBehavior.Restrict);
            e.HasQueryFilter(o => EF.Constant(SeesAllOrganizations) || o.Path.StartsWith(ScopePath!));
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
            e.HasQueryFilter(n => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(n.OrganizationId));
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
            e.HasQueryFilter(a => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(a.OrganizationId));
        });

        model.Entity<Admin>(e =>
        {
            e.Property(a => a.Email).HasMaxLength(254);
            e.Property(a => a.NormalizedEmail).HasMaxLength(254);
            e.HasIndex(a => a.NormalizedEmail).IsUnique();
            e.Property(a => a.DisplayName).HasMaxLength(200);
            e.Property(a => a.InvitationTokenHash).HasMaxLength(64);
            e.HasIndex(a => a.InvitationTokenHash).IsUnique();
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
        ConfigureActivity(model);
        ConfigureWebhooks(model);
    }
}
