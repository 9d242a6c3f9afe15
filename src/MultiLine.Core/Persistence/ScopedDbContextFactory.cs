using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Admins;

namespace MultiLine.Core.Persistence;

/// <summary>
/// What pages and API endpoints use: a fresh context per operation, limited to the current admin's scope.
/// </summary>
public sealed class ScopedDbContextFactory(IDbContextFactory<MultiLineDbContext> factory, ICurrentAdmin currentAdmin)
{
    public async Task<MultiLineDbContext> CreateAsync(CancellationToken cancellationToken = default)
    {
        var scope = await currentAdmin.GetScopeAsync();
        var db = await factory.CreateDbContextAsync(cancellationToken);
        return db.WithScope(scope);
    }
}
