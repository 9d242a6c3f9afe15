using System.Net.Http.Json;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Demo;
using MultiLine.Core.Organizations;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Isolation;

/// <summary>
/// The demo tenant with finished imports (and invitation emails) in every organization, and two admins to attack it
/// with: the scoped admin (Acme Support and its sub-organization) and a reports-only admin, here scoped to Health
/// Monitor and given API access so every endpoint answers them for real. <see cref="Tenant"/> lists what each must
/// never see.
/// </summary>
public sealed class IsolationFixture : IAsyncLifetime
{
    public const string SuperToken = "mlp_test_isolation_super_admin_token_01";

    public PortalFactory Factory { get; } = new(settings: new Dictionary<string, string?>
    {
        ["Demo:ApiToken"] = SuperToken,
        ["Api:PermitLimit"] = "100000",
    });

    public Uri Address { get; private set; } = default!;
    public Tenant Scoped { get; private set; } = default!;
    public Tenant ReportsOnly { get; private set; } = default!;
    public IReadOnlyList<Tenant> Admins => [Scoped, ReportsOnly];

    public async ValueTask InitializeAsync()
    {
        Address = Factory.StartOnLoopback();
        int healthId;
        await using (var db = Factory.CreateDbContext())
        {
            healthId = await db.Organizations.Where(o => o.Name == "Health Monitor").Select(o => o.Id).SingleAsync();
            var reports = await db.Admins.Include(a => a.Role).SingleAsync(a => a.Email == DemoDataSeeder.ReportsAdminEmail);
            reports.Role!.Privileges = Privileges.Reports | Privileges.ApiUsers;
            reports.ScopeOrganizationId = healthId;
            // The scoped admin also manages administrators, so the admin routes are attacked with a privilege that reaches them.
            var scoped = await db.Admins.Include(a => a.Role).SingleAsync(a => a.Email == DemoDataSeeder.ScopedAdminEmail);
            scoped.Role!.Privileges |= Privileges.Administrators;
            await db.SaveChangesAsync();
        }

        // A finished import with invitations in every organization, so batches, rows, reports and outbox
        // messages exist on both sides of each admin's scope. File names are secrets of their organization.
        using var super = ApiClient(SuperToken);
        await using (var db = Factory.CreateDbContext())
        {
            // A webhook endpoint in every organization (an address that never resolves), so each import's batch.completed
            // delivery, which names the organization and the file, waits in its delivery log. The first organization
            // has two, so no endpoint's id is its own organization's id: the suite puts one id in every placeholder of
            // /organizations/{id}/webhooks/{webhookId}, and must not hit an admin's own endpoint in their own organization.
            var firstId = await db.Organizations.MinAsync(o => o.Id);
            foreach (var organization in await db.Organizations.OrderBy(o => o.Id).ToListAsync())
            {
                var slug = organization.Name.ToLowerInvariant().Replace(' ', '-');
                var domain = organization.AllowedEmailDomains.FirstOrDefault() ?? $"{slug}.isolation.example";
                await AddWebhookAsync(super, organization.Id, slug);
                if (organization.Id == firstId)
                    await AddWebhookAsync(super, organization.Id, slug + "-second");
                var csv = Api.ApiCsv.Header + "\r\n"
                    + $"Iso,{organization.Name.Replace(" ", "")},iso.{slug}@{domain},No,,auto,on,,,English\r\n"
                    + $"Iso,Second,iso2.{slug}@{domain},No,,auto,on,,,English\r\n";
                var response = await super.PostAsync($"/api/v1/organizations/{organization.Id}/imports?invite=true&fileName=roster-of-{slug}.csv",
                    new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
                if (response.StatusCode == HttpStatusCode.Conflict) // too few numbers to invite: import only
                    response = await super.PostAsync($"/api/v1/organizations/{organization.Id}/imports?fileName=roster-of-{slug}.csv",
                        new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"));
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"Import into {organization.Name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }
        await WaitForAllBatchesAsync();

        var tokens = Factory.Services.GetRequiredService<ApiTokens>();
        Scoped = await TenantAsync(DemoDataSeeder.ScopedAdminEmail, tokens);
        ReportsOnly = await TenantAsync(DemoDataSeeder.ReportsAdminEmail, tokens);
    }

    private static async Task AddWebhookAsync(HttpClient super, int organizationId, string slug)
    {
        var hook = await super.PostAsJsonAsync($"/api/v1/organizations/{organizationId}/webhooks",
            new { url = $"https://hooks-{slug}.invalid/multiline", events = new[] { "batch.completed", "account.activated", "invitation.failed" } });
        if (!hook.IsSuccessStatusCode)
            throw new InvalidOperationException($"Webhook for organization {organizationId}: {(int)hook.StatusCode} {await hook.Content.ReadAsStringAsync()}");
    }

    private async Task WaitForAllBatchesAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            await using var db = Factory.CreateDbContext();
            if (!await db.Batches.AnyAsync(b => b.State == BatchState.Queued || b.State == BatchState.Running))
                return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The fixture's imports did not finish within 60 s.");
            await Task.Delay(100);
        }
    }

    private async Task<Tenant> TenantAsync(string email, ApiTokens tokens)
    {
        await using var db = Factory.CreateDbContext();
        var admin = await db.Admins.Include(a => a.ScopeOrganization).SingleAsync(a => a.Email == email);
        var path = admin.ScopeOrganization!.Path;
        var organizations = await db.Organizations.AsNoTracking().ToListAsync();
        var inside = organizations.Where(o => o.Path.StartsWith(path, StringComparison.Ordinal)).ToList();
        // Ancestors are not the admin's, but their names may show where a group or number is inherited.
        var ancestors = organizations.Where(o => path.StartsWith(o.Path, StringComparison.Ordinal) && o.Path != path).ToList();
        var foreign = organizations.Except(inside).ToList();
        var foreignIds = foreign.Select(o => o.Id).ToList();
        var insideIds = inside.Select(o => o.Id).ToList();

        var cookies = new CookieContainer();
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = Address };
        await PortalClient.SignInAsync(browser, email);

        return new Tenant
        {
            Email = email,
            Browser = browser,
            Cookies = cookies,
            Api = ApiClient((await tokens.CreateAsync(admin.Id, "Isolation suite", null, TestActors.Admin)).Secret),
            InsideOrganizationIds = insideIds,
            VisibleOrganizationIds = [.. insideIds, .. ancestors.Select(o => o.Id)],
            ForeignOrganizationNames = foreign.Except(ancestors).Select(o => o.Name).ToList(),
            ForeignUsernames = (await db.Accounts.Where(a => foreignIds.Contains(a.OrganizationId)).Select(a => a.NormalizedUsername).ToListAsync()).ToHashSet(StringComparer.OrdinalIgnoreCase),
            ForeignNumbers = (await db.Numbers.Where(n => foreignIds.Contains(n.OrganizationId)).Select(n => n.E164).ToListAsync()).ToHashSet(StringComparer.Ordinal),
            ForeignFileNames = await db.Batches.Where(b => foreignIds.Contains(b.OrganizationId) && b.FileName != null).Select(b => b.FileName!).ToListAsync(),
            InsideAccounts = await db.Accounts.CountAsync(a => insideIds.Contains(a.OrganizationId)),
            Scope = new AdminScope(admin.Id, path, (await db.Roles.SingleAsync(r => r.Id == admin.RoleId)).Privileges),
            OwnUsername = await db.Accounts.Where(a => insideIds.Contains(a.OrganizationId)).OrderByDescending(a => a.Id).Select(a => a.Username).FirstAsync(),
            ForeignIds = new Dictionary<string, IReadOnlyList<int>>
            {
                ["organization"] = foreignIds,
                ["account"] = await db.Accounts.Where(a => foreignIds.Contains(a.OrganizationId)).OrderBy(a => a.Id).Select(a => a.Id).Take(3).ToListAsync(),
                ["batch"] = await db.Batches.Where(b => foreignIds.Contains(b.OrganizationId)).Select(b => b.Id).ToListAsync(),
                ["number"] = await db.Numbers.Where(n => foreignIds.Contains(n.OrganizationId)).OrderBy(n => n.Id).Select(n => n.Id).Take(2).ToListAsync(),
                ["template"] = await db.InvitationTemplates.Where(t => foreignIds.Contains(t.OrganizationId)).Select(t => t.Id).Take(2).ToListAsync(),
                ["permission group"] = await db.PermissionGroups.Where(g => foreignIds.Contains(g.OrganizationId)).Select(g => g.Id).ToListAsync(),
                ["webhook"] = await db.WebhookEndpoints.Where(w => foreignIds.Contains(w.OrganizationId)).Select(w => w.Id).ToListAsync(),
                ["outbox message"] = await db.EmailMessages.Where(m => m.OrganizationId != null && foreignIds.Contains(m.OrganizationId.Value)).Select(m => m.Id).Take(3).ToListAsync(),
            },
            OwnIds = new Dictionary<string, IReadOnlyList<int>>
            {
                ["organization"] = insideIds,
                ["batch"] = await db.Batches.Where(b => insideIds.Contains(b.OrganizationId)).Select(b => b.Id).Take(1).ToListAsync(),
                ["account"] = await db.Accounts.Where(a => insideIds.Contains(a.OrganizationId)).Select(a => a.Id).Take(1).ToListAsync(),
            },
        };
    }

    public HttpClient ApiClient(string token)
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Accounts, numbers and batch states of every organization, to show an attack changed nothing.</summary>
    public async Task<string> FingerprintAsync()
    {
        await using var db = Factory.CreateDbContext();
        var accounts = await db.Accounts.GroupBy(a => new { a.OrganizationId, a.Status }).Select(g => $"{g.Key.OrganizationId}:{g.Key.Status}:{g.Count()}").ToListAsync();
        var numbers = await db.Numbers.GroupBy(n => new { n.OrganizationId, n.State }).Select(g => $"{g.Key.OrganizationId}:{g.Key.State}:{g.Count()}").ToListAsync();
        var batches = await db.Batches.Select(b => $"{b.Id}:{b.State}").ToListAsync();
        var admins = await db.Admins.Select(a => $"admin {a.Id}:{a.RoleId}:{a.ScopeOrganizationId}:{a.IsDisabled}:{a.InvitationTokenHash}").ToListAsync();
        var roles = await db.Roles.Select(r => $"role {r.Id}:{r.Name}:{(int)r.Privileges}").ToListAsync();
        var webhooks = await db.WebhookEndpoints.Select(w => $"webhook {w.Id}:{w.OrganizationId}:{w.Url}:{(int)w.Events}:{w.IsActive}:{w.ProtectedSecret}").ToListAsync();
        var deliveries = await db.WebhookDeliveries.GroupBy(d => d.OrganizationId).Select(g => $"deliveries {g.Key}:{g.Count()}").ToListAsync();
        return string.Join(",", accounts.Order().Concat(numbers.Order()).Concat(batches.Order()).Concat(admins.Order()).Concat(roles.Order())
            .Concat(webhooks.Order()).Concat(deliveries.Order()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var tenant in new[] { Scoped, ReportsOnly }.Where(t => t is not null))
        {
            tenant.Browser.Dispose();
            tenant.Api.Dispose();
        }
        await Factory.DisposeAsync();
    }
}

/// <summary>One attacking admin: their clients, and what of the other organizations must never reach them.</summary>
public sealed class Tenant
{
    public required string Email { get; init; }
    public required HttpClient Browser { get; init; }
    public required CookieContainer Cookies { get; init; }
    public required HttpClient Api { get; init; }
    public required IReadOnlyList<int> InsideOrganizationIds { get; init; }
    public required IReadOnlyList<int> VisibleOrganizationIds { get; init; }
    public required IReadOnlyList<string> ForeignOrganizationNames { get; init; }
    public required HashSet<string> ForeignUsernames { get; init; }
    public required HashSet<string> ForeignNumbers { get; init; }
    public required IReadOnlyList<string> ForeignFileNames { get; init; }
    public required int InsideAccounts { get; init; }
    public required string OwnUsername { get; init; }
    public required AdminScope Scope { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<int>> ForeignIds { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<int>> OwnIds { get; init; }

    public IEnumerable<int> AllForeignIds => ForeignIds.Values.SelectMany(ids => ids).Distinct();

    /// <summary>
    /// Everything this admin has sent so far in the suite. The activity record repeats an admin's own acts back to them
    /// (the search text of an export, a file name they uploaded): their own words, not another subtree's data.
    /// </summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Typed { get; } = new();

    /// <summary>Search texts an attacker would type: wildcards, single characters, digits, another tenant's names and numbers.</summary>
    public IEnumerable<string> AdversarialTexts =>
    [
        "@", "%", "_", "a", "\\", "'", "*", "2", "305", "415", "1",
        .. ForeignOrganizationNames,
        ForeignUsernames.Order().First(),
        ForeignNumbers.Order().First(),
        ForeignNumbers.Order().First()[2..],
    ];

    public override string ToString() => Email;
}
