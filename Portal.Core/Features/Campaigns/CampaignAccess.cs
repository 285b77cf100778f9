using Portal.Core.Data;

namespace Portal.Core.Features.Campaigns;

/// <summary>Who is looking at campaigns: supervisors of the charity or police.</summary>
public sealed record CampaignViewer(string UserId, bool IsSupervisor, bool IsPolice)
{
    public static CampaignViewer From(string userId, Func<string, bool> isInRole) =>
        new(userId, isInRole(StaffRoles.Supervisor), isInRole(StaffRoles.Police));
}

/// <summary>
/// The one place that decides which cases a campaign viewer may count and list. Supervisors see
/// every case of the charity. Police see only cases whose victim gave police consent, and a
/// campaign only when at least two such cases remain in it: one consenting case alone is a case,
/// not a campaign, and showing it as one would tell police that non-consenting reports exist.
/// When partner organisations land, police will further see only cases referred to their own
/// organisation: that condition belongs in <see cref="VisibleCases"/> and nowhere else.
/// </summary>
public static class CampaignAccess
{
    public const int MinimumCasesForPolice = 2;

    public static bool MayView(CampaignViewer viewer) => viewer.IsSupervisor || viewer.IsPolice;

    public static IQueryable<Case> VisibleCases(IQueryable<Case> cases, CampaignViewer viewer)
    {
        if (viewer.IsSupervisor)
        {
            return cases;
        }

        return viewer.IsPolice ? cases.Where(c => c.ConsentPolice) : cases.Where(c => false);
    }

    /// <summary>How many visible cases a campaign needs before this viewer sees it at all.</summary>
    public static int MinimumVisibleCases(CampaignViewer viewer) => viewer.IsSupervisor ? 1 : MinimumCasesForPolice;
}
