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

    public async ValueTask InitializeAsync() => await AddAdminAsync(LockoutAdminEmail);

    /// <summary>Another super admin with the test password, for tests that lock or change an admin.</summary>
    public async Task AddAdminAsync(string email)
    {
        await using var db = Factory.CreateDbContext();
        var role = db.Roles.First(r => r.Name == "Super Admin");
        var admin = new Admin { Email = email, NormalizedEmail = email.ToUpperInvariant(), DisplayName = email, RoleId = role.Id };
        admin.PasswordHash = Factory.Services.GetRequiredService<IPasswordHasher<Admin>>().HashPassword(admin, PortalFactory.Password);
        db.Admins.Add(admin);
        await db.SaveChangesAsync();
    }

    /// <summary>A fresh API token of the demo super admin.</summary>
    public async Task<string> SuperTokenAsync()
    {
        await using var db = Factory.CreateDbContext();
        var admin = db.Admins.First(a => a.Email == PortalFactory.AdminEmail);
        return (await Factory.Services.GetRequiredService<ApiTokens>().CreateAsync(admin.Id, "Test", null, TestActors.Admin)).Secret;
    }

    public ValueTask DisposeAsync() => Factory.DisposeAsync();
}
