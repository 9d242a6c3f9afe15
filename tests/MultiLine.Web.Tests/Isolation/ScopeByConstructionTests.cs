using System.Text.RegularExpressions;

namespace MultiLine.Web.Tests.Isolation;

/// <summary>
/// The rules that keep the scope on by construction, read from the source so that a new page, endpoint or query that
/// breaks them fails here before it can leak anything.
/// </summary>
public sealed partial class ScopeByConstructionTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void QueryFiltersAreSwitchedOffInOnePlaceOnly()
    {
        var offenders = SourceFiles("src")
            .Where(f => IgnoreQueryFilters().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .ToList();

        Assert.Equal(["src/MultiLine.Core/Persistence/MultiLineDbContext.cs"], offenders);
    }

    [Fact]
    public void TheWebProjectNeverTakesAnUnscopedContext()
    {
        // Pages, endpoints and the hub get contexts from ScopedDbContextFactory only; cross-tenant work lives in named
        // services of MultiLine.Core (sign-in, the worker, rule checks), never in the web project.
        var offenders = SourceFiles("src/MultiLine.Web")
            .Where(f => UnscopedFactory().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(Root, f))
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public void TheDomainLibraryHoldsNoDatabaseProviderOrDialect()
    {
        // Engines live in their own persistence assemblies (MultiLine.Persistence.*), each with its own migrations.
        var references = typeof(MultiLine.Core.Persistence.MultiLineDbContext).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain(references, name => name.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) || name.Contains("Npgsql", StringComparison.OrdinalIgnoreCase));
        var offenders = SourceFiles("src/MultiLine.Core")
            .Where(f => ProviderDialect().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(Root, f))
            .ToList();

        Assert.Empty(offenders);
    }

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(Path.Combine(Root, folder), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string FindRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "MultiLine.Blazor.sln")))
            folder = folder.Parent;
        return folder?.FullName ?? throw new InvalidOperationException("The tests run outside the repository: the solution file was not found.");
    }

    [GeneratedRegex(@"IgnoreQueryFilters\s*\(")]
    private static partial Regex IgnoreQueryFilters();

    [GeneratedRegex(@"Microsoft\.Data\.Sqlite|UseSqlite|UseNpgsql|last_insert_rowid|\bPRAGMA\b|Migrations\.Migration\b")]
    private static partial Regex ProviderDialect();

    [GeneratedRegex(@"SystemDbContextFactory|IDbContextFactory\s*<|\bAdminScope\.System\b|WithScope(Async)?\s*\(")]
    private static partial Regex UnscopedFactory();
}
