using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using MultiLine.Core.Persistence;

namespace MultiLine.Persistence.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model for this engine without starting the web app.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<MultiLineDbContext>
{
    public MultiLineDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MultiLineDbContext>().UseMultiLineSqlite("Data Source=design-time.db").Options);
}
