using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Admins;

namespace MultiLine.Core.Persistence;

/// <summary>
/// The one named way to read and write across all organizations: for the batch worker, the outbox, the seeder,
/// sign-in and API tokens, and the rule checks that must span every tenant (a username is unique everywhere).
/// Never for a list, search or detail shown to an admin: those use <see cref="ScopedDbContextFactory"/>.
/// The web project does not take this type; an architecture test keeps it so.
/// </summary>
public sealed class SystemDbContextFactory(IDbContextFactory<MultiLineDbContext> factory)
{
    public async Task<MultiLineDbContext> CreateAsync(CancellationToken cancellationToken = default) =>
        (await factory.CreateDbContextAsync(cancellationToken)).WithScope(AdminScope.System);

    public MultiLineDbContext Create() => factory.CreateDbContext().WithScope(AdminScope.System);
}
