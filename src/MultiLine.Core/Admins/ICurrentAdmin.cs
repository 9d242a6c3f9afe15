namespace MultiLine.Core.Admins;

/// <summary>The admin behind the current request or circuit. Implemented by the web app.</summary>
public interface ICurrentAdmin
{
    Task<AdminScope> GetScopeAsync();
}
