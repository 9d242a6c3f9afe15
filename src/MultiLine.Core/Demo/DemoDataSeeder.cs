using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Demo;

/// <summary>
/// Fills an empty database with a believable tenant tree: organizations, permission groups, numbers in all four
/// states, accounts in all statuses and three admins. Bulk rows go through prepared SQLite commands in one
/// transaction so that 200,000 accounts take seconds, not minutes.
/// </summary>
public sealed class DemoDataSeeder(SystemDbContextFactory factory, IPasswordHasher<Admin> hasher, IDatabaseEngine engine)
{
    public const string ScopedAdminEmail = "support.admin@multiline.example";
    public const string ReportsAdminEmail = "reports@multiline.example";

    private static readonly string[] FirstNames =
        ["Ava", "Liam", "Sofia", "Noah", "Emma", "Luca", "Mia", "Jonas", "Chloé", "Mateo", "Lena", "Hugo", "Giulia", "Oliver", "Núria", "Felix", "Amélie", "Leon", "Isabella", "Théo"];
    private static readonly string[] LastNames =
        ["Rossi", "Müller", "Martin", "García", "Smith", "Bianchi", "Schmidt", "Dubois", "Núñez", "Johnson", "Ricci", "Weber", "Laurent", "López", "Brown", "Romano", "Fischer", "Moreau", "Fernández", "Taylor"];

    public async Task<bool> SeedIfEmptyAsync(DemoOptions options, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateAsync(cancellationToken);
        if (await db.Organizations.AnyAsync(cancellationToken))
            return false;

        var plan = await SeedStructureAsync(db, options, cancellationToken);
        await SeedNumbersAndAccountsAsync(db, plan, options.Accounts, cancellationToken);
        await SeedInvitationSettingsAsync(db, options, cancellationToken);
        return true;
    }

    /// <summary>Registers <see cref="DemoOptions.ApiToken"/> for the demo super admin, once.</summary>
    public async Task<bool> EnsureDemoApiTokenAsync(DemoOptions options, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(options.ApiToken))
            return false;
        await using var db = await factory.CreateAsync(cancellationToken);
        var hash = ApiTokens.Hash(options.ApiToken);
        if (await db.ApiTokens.AnyAsync(t => t.TokenHash == hash, cancellationToken))
            return false;
        var normalized = options.AdminEmail.ToUpperInvariant();
        var admin = await db.Admins.FirstOrDefaultAsync(a => a.NormalizedEmail == normalized, cancellationToken);
        if (admin is null)
            return false;
        db.ApiTokens.Add(ApiTokens.NewToken(admin.Id, "Demo API token", options.ApiToken, DateTime.UtcNow, null));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    private sealed record OrgPlan(Organization Organization, int GroupId, string AreaCode, string EmailDomain, double Share, int ExtraAvailable, int Reserved, bool FewNumbers);

    private async Task<List<OrgPlan>> SeedStructureAsync(MultiLineDbContext db, DemoOptions options, CancellationToken cancellationToken)
    {
        var acme = new Organization { Name = "Acme Corp", SocialMessagingEnabled = true };
        // Acme Sales follows Acme Corp's settings (the Settings page shows "Inherited from Acme Corp").
        var sales = new Organization { Name = "Acme Sales", Parent = acme, SocialMessagingEnabled = true, InheritsSocialMessaging = true, InheritsSmtpDataOffload = true, InheritsAllowedEmailDomains = true };
        var support = new Organization { Name = "Acme Support", Parent = acme, SmtpDataOffload = true };
        var emea = new Organization { Name = "Support EMEA", Parent = support, SmtpDataOffload = true };
        var health = new Organization { Name = "Health Monitor", AllowedEmailDomains = ["healthmonitor.example"] };
        Organization[] all = [acme, sales, support, emea, health];
        db.Organizations.AddRange(all);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var org in all)
            org.Path = Organization.PathFor(org.Parent, org.Id);

        var acmeStandard = new PermissionGroup { Organization = acme, Name = "Standard", IsDefault = true, Features = Features.VoiceCalling | Features.Sms | Features.SocialMessaging };
        var acmeMessaging = new PermissionGroup { Organization = acme, Name = "Messaging only", Features = Features.Sms | Features.SocialMessaging };
        var supportAgents = new PermissionGroup { Organization = support, Name = "Support agents", IsDefault = true, Features = Features.VoiceCalling | Features.Sms | Features.CallRecording };
        var healthStandard = new PermissionGroup { Organization = health, Name = "Standard", IsDefault = true, Features = Features.VoiceCalling | Features.Sms };
        var healthRecorded = new PermissionGroup { Organization = health, Name = "Recorded lines", Features = Features.VoiceCalling | Features.Sms | Features.CallRecording };
        db.PermissionGroups.AddRange(acmeStandard, acmeMessaging, supportAgents, healthStandard, healthRecorded);

        var superAdmin = new Role { Name = "Super Admin", Privileges = Privileges.All };
        var orgAdmin = new Role { Name = "Organization Admin", Privileges = Privileges.All & ~(Privileges.Administrators | Privileges.RolesAndPrivileges) };
        var reportViewer = new Role { Name = "Report Viewer", Privileges = Privileges.Reports };
        db.Roles.AddRange(superAdmin, orgAdmin, reportViewer);
        db.Admins.AddRange(
            NewAdmin(options.AdminEmail, "Demo Super Admin", superAdmin, null, options.AdminPassword),
            NewAdmin(ScopedAdminEmail, "Support Admin", orgAdmin, support, options.AdminPassword),
            NewAdmin(ReportsAdminEmail, "Report Viewer", reportViewer, null, options.AdminPassword));
        await db.SaveChangesAsync(cancellationToken);

        return
        [
            new(acme, acmeStandard.Id, "212", "acme.example", 0.30, 900, 40, false),
            new(sales, acmeMessaging.Id, "415", "sales.acme.example", 0.25, 600, 25, false),
            new(support, supportAgents.Id, "617", "support.acme.example", 0.20, 400, 20, false),
            new(emea, supportAgents.Id, "720", "emea.acme.example", 0.05, 3, 2, true),
            new(health, healthStandard.Id, "305", "healthmonitor.example", 0.20, 700, 30, false),
        ];
    }

    private Admin NewAdmin(string email, string name, Role role, Organization? scope, string password)
    {
        var admin = new Admin { Email = email, NormalizedEmail = email.ToUpperInvariant(), DisplayName = name, Role = role, ScopeOrganization = scope };
        admin.PasswordHash = hasher.HashPassword(admin, password);
        return admin;
    }

    private async Task SeedNumbersAndAccountsAsync(MultiLineDbContext db, List<OrgPlan> plans, int totalAccounts, CancellationToken cancellationToken)
    {
        await using var writer = await engine.OpenDemoRowWriterAsync(db, cancellationToken);
        var random = new Random(20261124);
        var now = DateTime.UtcNow;
        var serial = 0;
        foreach (var plan in plans)
        {
            var organization = plan.Organization;
            var accounts = plan.FewNumbers ? Math.Min(6, totalAccounts) : (int)Math.Round(totalAccounts * plan.Share);
            var nextNumber = 2_000_000;
            string NextE164() => $"+1{plan.AreaCode}{nextNumber++}";

            void AddNumber(NumberState state, string? tag, long? accountId) =>
                writer.AddNumber(new DemoNumberRow(NextE164(), organization.Id, state, tag, accountId));

            for (var i = 0; i < accounts; i++, serial++)
            {
                var status = PickStatus(random);
                var first = FirstNames[random.Next(FirstNames.Length)];
                var last = LastNames[random.Next(LastNames.Length)];
                var usePhone = !organization.SmtpDataOffload && serial % 11 == 5;
                var username = usePhone
                    ? $"+4477009{serial:D5}"
                    : $"{Ascii(first)}.{Ascii(last)}{serial}@{plan.EmailDomain}";
                var accountId = writer.AddAccount(new DemoAccountRow(
                    first, last, username, organization.Id, plan.GroupId, organization.SocialMessagingEnabled && serial % 2 == 0,
                    serial % 3 == 0 ? MonitorCalls.Auto : MonitorCalls.Off,
                    serial % 4 == 0 ? MonitorSms.On : MonitorSms.Off,
                    serial % 7 == 0 ? Language.Italian : serial % 9 == 0 ? Language.German : Language.English,
                    status,
                    status == AccountStatus.InvitationFailed ? "550 5.1.1 Recipient address rejected: user unknown" : null,
                    now.AddMinutes(-serial)));

                // Active and suspended accounts hold a registered number; most pending ones hold an assigned one,
                // the rest will pick at activation (they count against free capacity).
                if (status is AccountStatus.Active or AccountStatus.Suspended)
                    AddNumber(NumberState.Registered, null, accountId);
                else if (!plan.FewNumbers && serial % 5 != 0)
                    AddNumber(NumberState.Assigned, null, accountId);
            }

            for (var i = 0; i < plan.Reserved; i++)
                AddNumber(NumberState.Reserved, i % 2 == 0 ? "PORTED" : "VIP", null);
            for (var i = 0; i < plan.ExtraAvailable; i++)
                AddNumber(NumberState.Available, null, null);
        }

        await writer.CommitAsync(cancellationToken);
    }

    /// <summary>Designated admins for batch notifications, and one organization's own Italian invitation text.</summary>
    private static async Task SeedInvitationSettingsAsync(MultiLineDbContext db, DemoOptions options, CancellationToken cancellationToken)
    {
        var organizations = await db.Organizations.ToDictionaryAsync(o => o.Name, o => o.Id, cancellationToken);
        var admins = await db.Admins.ToDictionaryAsync(a => a.NormalizedEmail, a => a.Id, cancellationToken);
        var superAdmin = admins[options.AdminEmail.ToUpperInvariant()];
        var supportAdmin = admins[ScopedAdminEmail.ToUpperInvariant()];
        db.DesignatedAdmins.AddRange(
            new DesignatedAdmin { OrganizationId = organizations["Acme Corp"], AdminId = superAdmin },
            new DesignatedAdmin { OrganizationId = organizations["Acme Support"], AdminId = supportAdmin },
            new DesignatedAdmin { OrganizationId = organizations["Support EMEA"], AdminId = supportAdmin });
        var italian = Invitations.InvitationTemplateDefaults.Italian;
        db.InvitationTemplates.Add(new Invitations.InvitationTemplate
        {
            OrganizationId = organizations["Acme Sales"],
            Language = Language.Italian,
            Subject = "Acme Sales: {f_name}, il tuo numero MultiLine ti aspetta",
            HtmlBody = italian.HtmlBody,
            TextBody = italian.TextBody,
            UpdatedAtUtc = DateTime.UtcNow,
            UpdatedBy = "Demo Super Admin",
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    private static AccountStatus PickStatus(Random random) => random.Next(100) switch
    {
        < 35 => AccountStatus.Active,
        < 60 => AccountStatus.Invited,
        < 85 => AccountStatus.NotInvited,
        < 93 => AccountStatus.InvitationFailed,
        _ => AccountStatus.Suspended,
    };

    private static string Ascii(string name) =>
        new(name.Normalize(System.Text.NormalizationForm.FormD).Where(c => c < 128 && char.IsLetter(c)).Select(char.ToLowerInvariant).ToArray());
}
