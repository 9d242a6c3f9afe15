using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Accounts;
using MultiLine.Core.Activity;
using MultiLine.Core.Admins;
using MultiLine.Core.Batches;
using MultiLine.Core.Common;
using MultiLine.Core.Invitations;
using MultiLine.Core.Numbers;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Organizations;

public enum OrganizationChangeStatus { Done, NotFound, NotAllowed, Refused }

/// <summary>What a create, rename or delete did (or why it did not), in the admin's words.</summary>
public sealed record OrganizationChange(OrganizationChangeStatus Status, string Message, int? OrganizationId = null)
{
    public bool Succeeded => Status == OrganizationChangeStatus.Done;
    public static OrganizationChange Refused(string message) => new(OrganizationChangeStatus.Refused, message);
    public static readonly OrganizationChange NotFound = new(OrganizationChangeStatus.NotFound, OrganizationTree.NotFoundMessage);
    public static readonly OrganizationChange NotAllowed = new(OrganizationChangeStatus.NotAllowed, OrganizationTree.NotAllowedMessage);
}

/// <summary>What an organization holds that keeps it from being deleted.</summary>
public sealed record OrganizationHoldings(int Accounts, int Admins, int Numbers)
{
    public static readonly OrganizationHoldings Nothing = new(0, 0, 0);
    public bool IsEmpty => Accounts == 0 && Admins == 0 && Numbers == 0;
    public OrganizationHoldings Plus(OrganizationHoldings other) => new(Accounts + other.Accounts, Admins + other.Admins, Numbers + other.Numbers);
}

/// <summary>One organization of the tree page: its own counts, its subtree's, and what the admin may do to it.</summary>
public sealed record OrganizationNode(
    int Id, string Name, int? ParentId, int Depth, int SubOrganizations, OrganizationHoldings Own, OrganizationHoldings Subtree,
    bool IsScopeRoot, string? RenameRefusal, string? DeleteRefusal);

/// <summary>
/// The organization tree: list it with what each organization holds, create a sub-organization, rename, delete. Each
/// needs the <see cref="Privileges.Profile"/> privilege, stays inside the admin's scope (a scoped admin cannot rename or
/// delete the root of their own scope, nor create beside it), and writes one <see cref="ActivityEntry"/> with the change.
/// </summary>
/// <remarks>
/// Delete checks and deletes in one transaction that first locks every organization of the subtree the way capacity is
/// locked (<see cref="NumberCapacityQueries.LockCapacityAsync(MultiLineDbContext, IEnumerable{int}, CancellationToken)"/>):
/// an import, move or single-account form locks its organization before it adds an account, so it either ran before the
/// check (and the delete is refused) or runs after the delete (and finds no organization). The foreign keys from
/// accounts, numbers and admins to the organization stay Restrict, so the database refuses what the check would miss.
/// </remarks>
public sealed class OrganizationTree(SystemDbContextFactory system, TimeProvider clock)
{
    public const string NotFoundMessage = "That organization does not exist or is outside your scope.";
    public const string NotAllowedMessage = "You need the Profile privilege to manage organizations.";
    public const int MaxNameLength = 200;

    /// <summary>Why <paramref name="holdings"/> keep <paramref name="name"/> from being deleted; null when nothing does.</summary>
    public static string? DeleteRefusal(string name, OrganizationHoldings holdings, int runningBatches = 0, bool hasSubOrganizations = true)
    {
        if (!holdings.IsEmpty)
        {
            var parts = new List<string>();
            if (holdings.Accounts > 0) parts.Add(Words.Count(holdings.Accounts, "account"));
            if (holdings.Admins > 0) parts.Add(Words.Count(holdings.Admins, "administrator"));
            if (holdings.Numbers > 0) parts.Add(Words.Count(holdings.Numbers, "number"));
            var list = parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + " and " + parts[^1];
            return $"Holds {list} (in {name}{(hasSubOrganizations ? " and its sub-organizations" : "")}). Move or remove them first.";
        }
        return runningBatches > 0
            ? $"{Words.Count(runningBatches, "batch operation")} of {name} {Words.Is(runningBatches)} still running; wait until {(runningBatches == 1 ? "it finishes" : "they finish")}."
            : null;
    }

    /// <summary>The organizations in the context's scope, parents before children, with what each holds.</summary>
    public static async Task<IReadOnlyList<OrganizationNode>> ListAsync(MultiLineDbContext db, CancellationToken cancellationToken = default)
    {
        var organizations = await OrganizationDirectory.ListAsync(db, cancellationToken);
        var ids = organizations.Select(o => o.Id).ToArray();
        var accounts = await db.Visible<Account>().Where(a => ids.Contains(a.OrganizationId)).GroupBy(a => a.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var numbers = await db.Visible<MultiLineNumber>().Where(n => ids.Contains(n.OrganizationId)).GroupBy(n => n.OrganizationId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var admins = await db.Admins.Where(a => a.ScopeOrganizationId != null && ids.Contains(a.ScopeOrganizationId.Value)).GroupBy(a => a.ScopeOrganizationId!.Value)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var running = await RunningBatchesAsync(db, ids, cancellationToken);

        var own = organizations.ToDictionary(o => o.Id, o => new OrganizationHoldings(accounts.GetValueOrDefault(o.Id), admins.GetValueOrDefault(o.Id), numbers.GetValueOrDefault(o.Id)));
        return organizations.Select(o =>
        {
            var subtree = organizations.Where(d => d.Path.StartsWith(o.Path, StringComparison.Ordinal)).ToList();
            var holdings = subtree.Aggregate(OrganizationHoldings.Nothing, (sum, d) => sum.Plus(own[d.Id]));
            var isScopeRoot = db.Scope.OrganizationPath == o.Path;
            var children = organizations.Count(c => c.ParentId == o.Id);
            var deleteRefusal = isScopeRoot ? ScopeRootRefusal("delete")
                : DeleteRefusal(o.Name, holdings, subtree.Sum(d => running.GetValueOrDefault(d.Id)), children > 0);
            return new OrganizationNode(o.Id, o.Name, o.ParentId, o.Depth, children, own[o.Id], holdings, isScopeRoot,
                isScopeRoot ? ScopeRootRefusal("rename") : null, deleteRefusal);
        }).ToList();
    }

    /// <summary>Creates <paramref name="name"/> under <paramref name="parentId"/> (null: a top-level organization, for admins of all organizations).</summary>
    public async Task<OrganizationChange> CreateAsync(MultiLineDbContext db, int? parentId, string? name, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (!db.Scope.Has(Privileges.Profile))
            return OrganizationChange.NotAllowed;
        Organization? parent = null;
        if (parentId is { } id)
        {
            parent = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
            if (parent is null)
                return OrganizationChange.NotFound;
        }
        else if (!db.Scope.SeesAllOrganizations)
            return OrganizationChange.Refused("You can only add sub-organizations inside your scope; choose the organization to add it under.");
        if (await NameRefusalAsync(name, parentId, null, parent?.Name, cancellationToken) is { } refusal)
            return OrganizationChange.Refused(refusal);

        var trimmed = name!.Trim();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var organization = new Organization
        {
            Name = trimmed,
            ParentId = parent?.Id,
            // A new sub-organization starts with its parent's settings, following them until it overrides one.
            SocialMessagingEnabled = parent?.SocialMessagingEnabled ?? false,
            SmtpDataOffload = parent?.SmtpDataOffload ?? false,
            AllowedEmailDomains = [.. parent?.AllowedEmailDomains ?? []],
            InheritsSocialMessaging = parent is not null,
            InheritsSmtpDataOffload = parent is not null,
            InheritsAllowedEmailDomains = parent is not null,
            Path = "/pending/",
        };
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(cancellationToken);
        organization.Path = Organization.PathFor(parent, organization.Id);
        ActivityLog.Record(db, actor, Now, ActivityActions.OrganizationCreate, organization.Id, ActivityTargetKind.Organization,
            Key(organization.Id), trimmed, parent is null ? "Top-level organization" : $"Under {parent.Name}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new OrganizationChange(OrganizationChangeStatus.Done, $"{trimmed} was added{(parent is null ? "" : $" under {parent.Name}")}.", organization.Id);
    }

    public async Task<OrganizationChange> RenameAsync(MultiLineDbContext db, int organizationId, string? name, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (!db.Scope.Has(Privileges.Profile))
            return OrganizationChange.NotAllowed;
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return OrganizationChange.NotFound;
        if (db.Scope.OrganizationPath == organization.Path)
            return OrganizationChange.Refused(ScopeRootRefusal("rename"));
        var trimmed = name?.Trim() ?? "";
        if (trimmed == organization.Name)
            return new OrganizationChange(OrganizationChangeStatus.Done, "Nothing changed.", organization.Id);
        var parentName = organization.ParentId is { } parentId
            ? await db.Organizations.Where(o => o.Id == parentId).Select(o => o.Name).FirstOrDefaultAsync(cancellationToken) ?? "its parent"
            : null;
        if (await NameRefusalAsync(trimmed, organization.ParentId, organization.Id, parentName, cancellationToken) is { } refusal)
            return OrganizationChange.Refused(refusal);

        var before = organization.Name;
        organization.Name = trimmed;
        ActivityLog.Record(db, actor, Now, ActivityActions.OrganizationRename, organization.Id, ActivityTargetKind.Organization,
            Key(organization.Id), trimmed, $"Name: {before} → {trimmed}");
        await db.SaveChangesAsync(cancellationToken);
        return new OrganizationChange(OrganizationChangeStatus.Done, $"{before} is now {trimmed}.", organization.Id);
    }

    /// <summary>
    /// Deletes an organization whose subtree holds no account, administrator or number and runs no batch. Its
    /// sub-organizations go with it, and what belongs only to them: settings, designated admins, invitation templates,
    /// permission groups defined there, and their finished batch operations with their reports.
    /// </summary>
    public async Task<OrganizationChange> DeleteAsync(MultiLineDbContext db, int organizationId, ActivityActor actor, CancellationToken cancellationToken = default)
    {
        if (!db.Scope.Has(Privileges.Profile))
            return OrganizationChange.NotAllowed;
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return OrganizationChange.NotFound;
        if (db.Scope.OrganizationPath == organization.Path)
            return OrganizationChange.Refused(ScopeRootRefusal("delete"));

        // The subtree is inside the admin's scope (the scope is itself a subtree), so the scoped context sees all of it.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var subtree = await db.Organizations.Where(o => o.Path.StartsWith(organization.Path)).ToListAsync(cancellationToken);
        var ids = subtree.Select(o => o.Id).ToArray();
        await db.LockCapacityAsync(ids, cancellationToken);

        var holdings = new OrganizationHoldings(
            await db.Visible<Account>().CountAsync(a => ids.Contains(a.OrganizationId), cancellationToken),
            await db.Admins.CountAsync(a => a.ScopeOrganizationId != null && ids.Contains(a.ScopeOrganizationId.Value), cancellationToken),
            await db.Visible<MultiLineNumber>().CountAsync(n => ids.Contains(n.OrganizationId), cancellationToken));
        var running = (await RunningBatchesAsync(db, ids, cancellationToken)).Values.Sum();
        if (DeleteRefusal(organization.Name, holdings, running, subtree.Count > 1) is { } refusal)
            return OrganizationChange.Refused(refusal);

        var groupIds = await db.PermissionGroups.Where(g => ids.Contains(g.OrganizationId)).Select(g => g.Id).ToListAsync(cancellationToken);
        // A group defined here may still be the chosen default of an organization outside the subtree only if it was
        // chosen there, which the choice rules forbid (a group is usable only below where it is defined); the foreign key guards it.
        await db.Organizations.Where(o => ids.Contains(o.Id)).ExecuteUpdateAsync(s => s.SetProperty(o => o.DefaultPermissionGroupId, (int?)null), cancellationToken);
        var batchIds = await db.Visible<BatchOperation>().Where(b => ids.Contains(b.OrganizationId)).Select(b => b.Id).ToListAsync(cancellationToken);
        await db.Set<BatchRow>().Where(r => batchIds.Contains(r.BatchOperationId)).ExecuteDeleteAsync(cancellationToken);
        await db.Visible<BatchOperation>().Where(b => batchIds.Contains(b.Id)).ExecuteDeleteAsync(cancellationToken);
        await db.Visible<InvitationTemplate>().Where(t => ids.Contains(t.OrganizationId)).ExecuteDeleteAsync(cancellationToken);
        await db.Visible<DesignatedAdmin>().Where(d => ids.Contains(d.OrganizationId)).ExecuteDeleteAsync(cancellationToken);
        await db.Visible<SettingsAuditEntry>().Where(a => ids.Contains(a.OrganizationId)).ExecuteDeleteAsync(cancellationToken);
        await db.PermissionGroups.Where(g => groupIds.Contains(g.Id)).ExecuteDeleteAsync(cancellationToken);
        // Children before parents: the parent foreign key is Restrict.
        foreach (var doomed in subtree.OrderByDescending(o => o.Path.Length))
            await db.Organizations.Where(o => o.Id == doomed.Id).ExecuteDeleteAsync(cancellationToken);

        var gone = subtree.Count - 1;
        ActivityLog.Record(db, actor, Now, ActivityActions.OrganizationDelete, organization.ParentId, ActivityTargetKind.Organization,
            Key(organization.Id), organization.Name,
            gone == 0 ? "Deleted" : $"Deleted with {Words.Count(gone, "sub-organization")}: {string.Join(", ", subtree.Where(o => o.Id != organization.Id).Select(o => o.Name).Order())}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new OrganizationChange(OrganizationChangeStatus.Done, gone == 0 ? $"{organization.Name} was deleted." : $"{organization.Name} and {Words.Count(gone, "sub-organization")} were deleted.", organization.Id);
    }

    /// <summary>The activity record's target id of an organization.</summary>
    public static string Key(int organizationId) => organizationId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string ScopeRootRefusal(string verb) =>
        $"This is the top of your scope; only an administrator of its parent organization can {verb} it.";

    /// <summary>
    /// Names are unique across the portal (drop-downs and reports show an organization by its name alone), compared
    /// case-insensitively; read with the system's context so a name taken outside the admin's scope is refused in words
    /// instead of by the database.
    /// </summary>
    private async Task<string?> NameRefusalAsync(string? name, int? parentId, int? selfId, string? parentName, CancellationToken cancellationToken)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
            return "Give the organization a name.";
        if (trimmed.Length > MaxNameLength)
            return $"The name is {trimmed.Length} characters long; at most {MaxNameLength} are allowed.";
        await using var db = await system.CreateAsync(cancellationToken);
        var lower = trimmed.ToLower();
        var taken = await db.Organizations.AsNoTracking().Where(o => o.Name.ToLower() == lower && o.Id != selfId)
            .Select(o => new { o.ParentId }).FirstOrDefaultAsync(cancellationToken);
        if (taken is null)
            return null;
        return taken.ParentId == parentId && parentName is not null
            ? $"{parentName} already has a sub-organization named \"{trimmed}\". Choose another name."
            : $"An organization named \"{trimmed}\" already exists. Organization names are unique across the portal; choose another name.";
    }

    private static async Task<Dictionary<int, int>> RunningBatchesAsync(MultiLineDbContext db, int[] ids, CancellationToken cancellationToken) =>
        await db.Visible<BatchOperation>().Where(b => ids.Contains(b.OrganizationId) && (b.State == BatchState.Queued || b.State == BatchState.Running))
            .GroupBy(b => b.OrganizationId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;
}
