using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MultiLine.Core.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the web app.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<MultiLineDbContext>
{
    public MultiLineDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MultiLineDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
