using MultiLine.Core.Activity;

namespace MultiLine.Core.Admins;

/// <summary>The admin behind the current request or circuit. Implemented by the web app.</summary>
public interface ICurrentAdmin
{
    Task<AdminScope> GetScopeAsync();

    /// <summary>Who the activity record names for what this request or circuit does: the admin, their address, and Portal or API.</summary>
    Task<ActivityActor> GetActorAsync();
}
