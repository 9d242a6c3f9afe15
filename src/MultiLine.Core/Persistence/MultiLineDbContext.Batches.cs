using Microsoft.EntityFrameworkCore;

namespace MultiLine.Core.Persistence;

/// <summary>Batch operations and their rows.</summary>
public partial class MultiLineDbContext
{
    private void ConfigureBatches(ModelBuilder model)
    {
    }
}
