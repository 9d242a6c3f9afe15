namespace MultiLine.Web.Tests.Integration;

/// <summary>The invitation test classes share one portal and run one after another, to keep the machine's load down.</summary>
[CollectionDefinition(Name)]
public sealed class InvitationsCollection : ICollectionFixture<PortalFixture>
{
    public const string Name = "Invitations";
}
