using MultiLine.Core.Activity;

namespace MultiLine.Tests;

/// <summary>Who a test acts as, for the activity record: an admin at the portal, with an address the tests can look for.</summary>
public static class TestActors
{
    public const string Ip = "198.51.100.23";
    public static readonly ActivityActor Admin = new(null, "Test Admin", Ip, ActivitySource.Portal);

    public static ActivityActor For(int adminId, string name = "Test Admin", ActivitySource source = ActivitySource.Portal) => new(adminId, name, Ip, source);
}
