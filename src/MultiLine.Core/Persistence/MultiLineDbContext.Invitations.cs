using Microsoft.EntityFrameworkCore;

namespace MultiLine.Core.Persistence;

/// <summary>Invitations, the email outbox, templates and organization settings audit.</summary>
public partial class MultiLineDbContext
{
    private void ConfigureInvitations(ModelBuilder model)
    {
    }
}
