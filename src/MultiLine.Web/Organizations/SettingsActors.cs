using MultiLine.Core.Activity;
using MultiLine.Core.Organizations;

namespace MultiLine.Web.Organizations;

/// <summary>The signed-in admin as the settings audit records them.</summary>
public static class SettingsActors
{
    public static SettingsActor From(ActivityActor actor) => new(actor.AdminId, actor.AdminName, actor.ClientIp, actor.Source);
}
