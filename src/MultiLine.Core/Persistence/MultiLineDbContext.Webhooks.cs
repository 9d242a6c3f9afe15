using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Webhooks;

namespace MultiLine.Core.Persistence;

/// <summary>Webhook endpoints and the durable queue of their deliveries.</summary>
public partial class MultiLineDbContext
{
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    private void ConfigureWebhooks(ModelBuilder model)
    {
        model.Entity<WebhookEndpoint>(e =>
        {
            e.Property(w => w.Url).HasMaxLength(WebhookEndpoint.MaxUrlLength);
            e.Property(w => w.ProtectedSecret).HasMaxLength(1000);
            e.HasIndex(w => w.OrganizationId);
            e.HasOne(w => w.Organization).WithMany().HasForeignKey(w => w.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(w => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(w.OrganizationId));
        });

        model.Entity<WebhookDelivery>(e =>
        {
            e.Property(d => d.EventId).HasMaxLength(40);
            e.Property(d => d.EventType).HasMaxLength(40);
            e.Property(d => d.LastError).HasMaxLength(WebhookDelivery.MaxErrorLength);
            e.Property(d => d.ClaimedBy).HasMaxLength(200);
            // The sender's claim: due pending deliveries, oldest first.
            e.HasIndex(d => new { d.State, d.NextAttemptAtUtc });
            // The delivery log (an organization's, or one endpoint's), newest first; and the retention sweep.
            e.HasIndex(d => new { d.OrganizationId, d.CreatedAtUtc });
            e.HasIndex(d => new { d.EndpointId, d.CreatedAtUtc });
            e.HasIndex(d => d.CreatedAtUtc);
            e.HasOne(d => d.Endpoint).WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(d => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(d.OrganizationId));
        });

        model.Entity<WebhookAttempt>(e =>
        {
            e.Property(a => a.Error).HasMaxLength(WebhookDelivery.MaxErrorLength);
            // A delivery's attempts in order; deleted with it by the database (retention and endpoint deletes are set-based).
            e.HasIndex(a => new { a.DeliveryId, a.Number }).IsUnique();
            e.HasOne(a => a.Delivery).WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(a => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(a.OrganizationId));
        });
    }
}
