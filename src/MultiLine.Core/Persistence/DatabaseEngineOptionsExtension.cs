using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace MultiLine.Core.Persistence;

/// <summary>
/// Carries the engine a context's options were built for, so code that holds only a context (a page's query) can reach
/// the engine's own ways, such as its search index. Added by <see cref="PersistenceExtensions.UseMultiLineDefaults{TBuilder}"/>.
/// </summary>
internal sealed class DatabaseEngineOptionsExtension(IDatabaseEngine engine) : IDbContextOptionsExtension
{
    public IDatabaseEngine Engine => engine;

    public DbContextOptionsExtensionInfo Info => new EngineInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
    }

    public void Validate(IDbContextOptions options)
    {
    }

    private sealed class EngineInfo(DatabaseEngineOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;

        public override string LogFragment => $"Engine={extension.Engine.Name} ";

        // The engine adds no EF service, so contexts of every engine may share EF's internal service provider.
        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is EngineInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) =>
            debugInfo["MultiLine:Engine"] = extension.Engine.Name;
    }
}
