using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Admins;

namespace MultiLine.Core.Persistence;

/// <summary>
/// What pages, API endpoints and the hub use: a fresh context per operation, limited to a signed-in admin's scope.
/// It never hands out the system scope; that is <see cref="SystemDbContextFactory"/>'s alone.
/// </summary>
public sealed class ScopedDbContextFactory(IDbContextFactory<MultiLineDbContext> factory, ICurrentAdmin currentAdmin)
{
    /// <summary>A context in the scope of the admin behind the current request or circuit.</summary>
    public async Task<MultiLineDbContext> CreateAsync(CancellationToken cancellationToken = default) =>
        await CreateAsync(await currentAdmin.GetScopeAsync(), cancellationToken);

    /// <summary>A context in the scope of an admin read from a connection's claims (the hub); nobody's scope sees nothing.</summary>
    public async Task<MultiLineDbContext> CreateAsync(AdminScope adminScope, CancellationToken cancellationToken = default)
    {
        // Only the system works with admin id 0; an admin's scope read from claims always has a real id.
        var scope = adminScope.AdminId == 0 ? AdminScope.None : adminScope;
        var db = await factory.CreateDbContextAsync(cancellationToken);
        return await db.WithScopeAsync(scope, cancellationToken);
    }
}
