using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using MultiLine.Core.Persistence;

namespace MultiLine.Persistence.PostgreSQL;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model for this engine without starting the web app or a server.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<MultiLineDbContext>
{
    public MultiLineDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MultiLineDbContext>().UseMultiLinePostgreSql("Host=localhost;Database=multiline_design").Options);
}
