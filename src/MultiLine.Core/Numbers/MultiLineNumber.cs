using MultiLine.Core.Accounts;
using MultiLine.Core.Organizations;

namespace MultiLine.Core.Numbers;

/// <summary>An E.164 number allocated to one organization. The holder lives on this side, so a number can never be held twice.</summary>
public sealed class MultiLineNumber
{
    public int Id { get; set; }
    public required string E164 { get; set; }
    public int OrganizationId { get; set; }
    public Organization? Organization { get; set; }
    public NumberState State { get; set; }

    /// <summary>Why an admin set the number aside, e.g. PORTED. Only for <see cref="NumberState.Reserved"/>.</summary>
    public string? ReservationTag { get; set; }

    /// <summary>The account holding the number (Assigned or Registered). Unique: one number per account.</summary>
    public int? AccountId { get; set; }
    public Account? Account { get; set; }
}

public enum NumberState
{
    Available = 0,
    Reserved = 1,
    Assigned = 2,
    Registered = 3,
}
