using Microsoft.EntityFrameworkCore;
using MultiLine.Core.Activity;
using MultiLine.Core.Common;
using MultiLine.Core.Persistence;

namespace MultiLine.Core.Numbers;

/// <summary>
/// How an organization's numbers are used: its own numbers by state, and those allocated to its sub-organizations
/// (numbers of any organization below it). Used: every number that is not Available to the organization itself.
/// </summary>
public sealed record NumberUtilization(int OrganizationId, string OrganizationName, int Available, int Reserved, int Assigned, int Registered,
    int AllocatedToSubOrganizations, int? ThresholdPercent, bool AlertSent)
{
    public int Total => Available + Reserved + Assigned + Registered + AllocatedToSubOrganizations;
    public int InUse => Total - Available;

    /// <summary>Percent of the numbers in use, rounded down to a whole percent (so 89.9 % is not "90 %").</summary>
    public int UsedPercent => Total == 0 ? 0 : (int)(100L * InUse / Total);

    /// <summary>At or above the organization's alert threshold; never when the alert is off or there are no numbers.</summary>
    public bool IsOverThreshold => ThresholdPercent is { } threshold && Total > 0 && UsedPercent >= threshold;

    /// <summary>"412 of 500 numbers in use (82 %)".</summary>
    public string Describe() => $"{InUse:N0} of {Words.Count(Total, "number")} in use ({UsedPercent} %)";

    /// <summary>The admin's words for the setting: "Alert at 90 %", or "Off".</summary>
    public static string DescribeThreshold(int? threshold) => threshold is { } t ? $"Alert at {t} %" : "Off";

    public static async Task<NumberUtilization?> ForAsync(MultiLineDbContext db, int organizationId, CancellationToken cancellationToken = default)
    {
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return null;
        var counts = await db.Numbers
            .Where(n => n.OrganizationId == organizationId)
            .GroupBy(n => n.State)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
        var path = organization.Path;
        var allocated = await db.Numbers.CountAsync(n => n.OrganizationId != organizationId && n.Organization!.Path.StartsWith(path), cancellationToken);
        return new NumberUtilization(organization.Id, organization.Name,
            counts.GetValueOrDefault(NumberState.Available), counts.GetValueOrDefault(NumberState.Reserved),
            counts.GetValueOrDefault(NumberState.Assigned), counts.GetValueOrDefault(NumberState.Registered),
            allocated, organization.UtilizationThresholdPercent, organization.UtilizationAlertSentAtUtc is not null);
    }

    /// <summary>
    /// Sets (1–100) or switches off (null) the utilization alert of the organization, with an activity record. The alert is
    /// armed again: the next check emails the designated admins when utilization is at or above the new threshold.
    /// </summary>
    public static async Task<NumberMoveResult> SetThresholdAsync(MultiLineDbContext db, ActivityActor actor, DateTime nowUtc, int organizationId, int? percent,
        CancellationToken cancellationToken = default)
    {
        if (percent is < 1 or > 100)
            return NumberMoveResult.Refused("The alert threshold is a percentage from 1 to 100, or off.");
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, cancellationToken);
        if (organization is null)
            return NumberMoveResult.Refused(NumberMoves.NotInScope);
        var before = organization.UtilizationThresholdPercent;
        if (before == percent)
            return new NumberMoveResult(true, 0, null, "Unchanged.");
        organization.UtilizationThresholdPercent = percent;
        organization.UtilizationAlertSentAtUtc = null;
        var description = $"Number utilization alert: {DescribeThreshold(before)} → {DescribeThreshold(percent)}";
        ActivityLog.Record(db, actor, nowUtc, ActivityActions.NumbersThreshold, organization.Id, ActivityTargetKind.Organization, organization.Id.ToString(), organization.Name, description);
        await db.SaveChangesAsync(cancellationToken);
        return new NumberMoveResult(true, 0, null, description);
    }
}
