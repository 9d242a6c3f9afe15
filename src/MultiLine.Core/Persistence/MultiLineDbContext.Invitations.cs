using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Invitations;
using MultiLine.Core.Invitations.Outbox;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Persistence;

/// <summary>Invitations, the email outbox, templates and organization settings audit.</summary>
public partial class MultiLineDbContext
{
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<EmailMessage> EmailMessages => Set<EmailMessage>();
    public DbSet<EmailAttachment> EmailAttachments => Set<EmailAttachment>();
    public DbSet<InvitationTemplate> InvitationTemplates => Set<InvitationTemplate>();
    public DbSet<DesignatedAdmin> DesignatedAdmins => Set<DesignatedAdmin>();
    public DbSet<SettingsAuditEntry> SettingsAudit => Set<SettingsAuditEntry>();

    private void ConfigureInvitations(ModelBuilder model)
    {
        model.Entity<Invitation>(e =>
        {
            e.Property(i => i.TokenHash).HasMaxLength(64);
            e.HasIndex(i => i.TokenHash).IsUnique();
            e.HasIndex(i => new { i.AccountId, i.UsedAtUtc, i.RevokedAtUtc });
            e.HasOne(i => i.Account).WithMany().HasForeignKey(i => i.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(i => i.EmailMessage).WithMany().HasForeignKey(i => i.EmailMessageId).OnDelete(DeleteBehavior.SetNull);
            e.HasQueryFilter(i => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(i.Account!.OrganizationId));
        });

        model.Entity<EmailMessage>(e =>
        {
            e.Property(m => m.ToAddress).HasMaxLength(254);
            e.Property(m => m.ToName).HasMaxLength(200);
            e.Property(m => m.Subject).HasMaxLength(500);
            e.Property(m => m.LastError).HasMaxLength(1000);
            e.Property(m => m.PickupFile).HasMaxLength(260);
            e.Property(m => m.ClaimedBy).HasMaxLength(200);
            // The sender's claim query: due queued messages in order.
            e.HasIndex(m => new { m.State, m.NextAttemptAtUtc });
            e.HasIndex(m => m.AccountId);
            e.HasOne(m => m.Organization).WithMany().HasForeignKey(m => m.OrganizationId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(m => m.Account).WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.SetNull);
            e.HasMany(m => m.Attachments).WithOne(a => a.EmailMessage).HasForeignKey(a => a.EmailMessageId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(m => EF.Constant(SeesAllOrganizations) || (m.OrganizationId != null && ScopeOrganizationIds.Contains(m.OrganizationId.Value)));
        });

        model.Entity<EmailAttachment>(e =>
        {
            e.Property(a => a.FileName).HasMaxLength(260);
            e.Property(a => a.ContentType).HasMaxLength(100);
            e.HasQueryFilter(a => EF.Constant(SeesAllOrganizations) || (a.EmailMessage!.OrganizationId != null && ScopeOrganizationIds.Contains(a.EmailMessage.OrganizationId.Value)));
        });

        model.Entity<InvitationTemplate>(e =>
        {
            e.Property(t => t.Subject).HasMaxLength(500);
            e.Property(t => t.UpdatedBy).HasMaxLength(200);
            e.HasIndex(t => new { t.OrganizationId, t.Language }).IsUnique();
            e.HasOne(t => t.Organization).WithMany().HasForeignKey(t => t.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(t => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(t.OrganizationId));
        });

        model.Entity<DesignatedAdmin>(e =>
        {
            e.HasKey(d => new { d.OrganizationId, d.AdminId });
            e.HasOne(d => d.Organization).WithMany().HasForeignKey(d => d.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(d => d.Admin).WithMany().HasForeignKey(d => d.AdminId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(d => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(d.OrganizationId));
        });

        model.Entity<SettingsAuditEntry>(e =>
        {
            e.ToTable("SettingsAudit");
            e.Property(a => a.AdminName).HasMaxLength(200);
            e.Property(a => a.Setting).HasMaxLength(100);
            e.Property(a => a.OldValue).HasMaxLength(4000);
            e.Property(a => a.NewValue).HasMaxLength(4000);
            e.HasIndex(a => new { a.OrganizationId, a.AtUtc });
            e.HasOne(a => a.Organization).WithMany().HasForeignKey(a => a.OrganizationId).OnDelete(DeleteBehavior.Cascade);
            e.HasQueryFilter(a => EF.Constant(SeesAllOrganizations) || ScopeOrganizationIds.Contains(a.OrganizationId));
        });
    }
}
