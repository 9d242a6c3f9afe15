using MultiLine.Core.Accounts;
using MultiLine.Core.Admins;
using MultiLine.Core.Imports;
using MultiLine.Core.Numbers;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Tests.Imports;

/// <summary>
/// A small migrated database: Root → {Acme (social messaging) → Team, Other}, plus Vault (SMTP data offload).
/// Admin scope in the tests is Acme's subtree unless said otherwise.
/// </summary>
internal sealed class ImportWorld : IDisposable
{
    public TestDatabase Database { get; } = new();
    public Organization Root { get; }
    public Organization Acme { get; }
    public Organization Team { get; }
    public Organization Other { get; }
    public Organization Vault { get; }
    public PermissionGroup Standard { get; }
    public PermissionGroup MessagingOnly { get; }

    public ImportWorld()
    {
        Root = AddOrganization("Root", null);
        Acme = AddOrganization("Acme", Root, social: true);
        Team = AddOrganization("Team", Acme);
        Other = AddOrganization("Other", Root);
        Vault = AddOrganization("Vault", null, offload: true);
        Standard = AddGroup(Root, "Standard", Features.VoiceCalling | Features.Sms, isDefault: true);
        MessagingOnly = AddGroup(Acme, "Messaging only", Features.Sms | Features.SocialMessaging);
    }

    public AdminScope AcmeAdmin => new(1, Acme.Path, Privileges.All);

    public ImportTarget Target(Organization? organization = null, PermissionGroup? group = null, AdminScope? scope = null) =>
        new((organization ?? Acme).Id, (group ?? MessagingOnly).Id, scope ?? AcmeAdmin);

    public ImportValidator Validator(int maxRows = 1000) => new(CsvFiles.Reader(maxRows), new AccountInputValidator(), Database.System, Database.Engine.DatabaseEngine);

    public Task<ImportValidationResult> ValidateAsync(string csv, ImportTarget? target = null, int maxRows = 1000) =>
        Validator(maxRows).ValidateAsync(new MemoryStream(CsvFiles.Utf8(csv)), target ?? Target(), TestContext.Current.CancellationToken);

    public Organization AddOrganization(string name, Organization? parent, bool social = false, bool offload = false)
    {
        using var db = Database.CreateDbContext();
        var organization = new Organization { Name = name, ParentId = parent?.Id, SocialMessagingEnabled = social, SmtpDataOffload = offload };
        db.Organizations.Add(organization);
        db.SaveChanges();
        organization.Path = Organization.PathFor(parent, organization.Id);
        db.SaveChanges();
        return organization;
    }

    public PermissionGroup AddGroup(Organization organization, string name, Features features, bool isDefault = false)
    {
        using var db = Database.CreateDbContext();
        var group = new PermissionGroup { OrganizationId = organization.Id, Name = name, Features = features, IsDefault = isDefault };
        db.PermissionGroups.Add(group);
        db.SaveChanges();
        return group;
    }

    public void AddNumber(Organization organization, string e164, NumberState state = NumberState.Available, string? tag = null, int? accountId = null)
    {
        using var db = Database.CreateDbContext();
        db.Numbers.Add(new MultiLineNumber { E164 = e164, OrganizationId = organization.Id, State = state, ReservationTag = tag, AccountId = accountId });
        db.SaveChanges();
    }

    public int AddAccount(Organization organization, string username, AccountStatus status = AccountStatus.NotInvited) => AddAccounts(organization, [username], status);

    public int AddAccounts(Organization organization, IEnumerable<string> usernames, AccountStatus status = AccountStatus.NotInvited)
    {
        using var db = Database.CreateDbContext();
        var accounts = usernames.Select(u => new Account
        {
            Username = u, NormalizedUsername = Username.NormalizeOrNull(u)!, OrganizationId = organization.Id, PermissionGroupId = Standard.Id,
            Status = status, CreatedAtUtc = DateTime.UtcNow,
        }).ToList();
        db.Accounts.AddRange(accounts);
        db.SaveChanges();
        return accounts[^1].Id;
    }

    public void Dispose() => Database.Dispose();
}
