using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MultiLine.Core.Admins;
using MultiLine.Tests;

namespace MultiLine.Web.Tests.Integration;

/// <summary>One real app and database per test class, plus an extra admin that lockout tests may lock.</summary>
public sealed class PortalFixture : IAsyncLifetime
{
    public const string LockoutAdminEmail = "lockout@multiline.example";

    public PortalFactory Factory { get; } = new();

    public async ValueTask InitializeAsync()
    {
        await using var db = Factory.CreateDbContext();
        var role = db.Roles.First(r => r.Name == "Super Admin");
        var admin = new Admin { Email = LockoutAdminEmail, NormalizedEmail = LockoutAdminEmail.ToUpperInvariant(), DisplayName = "Lockout Test", RoleId = role.Id };
        admin.PasswordHash = Factory.Services.GetRequiredService<IPasswordHasher<Admin>>().HashPassword(admin, PortalFactory.Password);
        db.Admins.Add(admin);
        await db.SaveChangesAsync();
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
