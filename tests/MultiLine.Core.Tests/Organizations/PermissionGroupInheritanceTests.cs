using MultiLine.Core.Organizations;

namespace MultiLine.Core.Tests.Organizations;

public sealed class PermissionGroupInheritanceTests
{
    private static readonly Organization Child = new() { Id = 3, Name = "Child", Path = "/1/2/3/" };

    [Fact]
    public void TheNearestDefaultOnThePathWins()
    {
        PermissionGroup[] groups =
        [
            new() { Id = 10, OrganizationId = 1, Name = "Root default", IsDefault = true },
            new() { Id = 20, OrganizationId = 2, Name = "Parent default", IsDefault = true },
            new() { Id = 30, OrganizationId = 3, Name = "Own, not default" },
        ];

        Assert.Equal(20, PermissionGroupInheritance.DefaultFor(Child, groups)!.Id);
    }

    [Fact]
    public void WithoutAnyDefaultThereIsNone()
    {
        PermissionGroup[] groups = [new() { Id = 30, OrganizationId = 3, Name = "Own" }];

        Assert.Null(PermissionGroupInheritance.DefaultFor(Child, groups));
    }
}
