using Portal.Core.Data;
using Portal.Core.Features.Routing;

namespace Portal.Core.Features.Campaigns;

/// <summary>Who is looking at campaigns: supervisors of the charity or police.</summary>
public sealed record CampaignViewer(string UserId, bool IsSupervisor, bool IsPolice)
{
    /// <summary>
    /// Police count as police only as members of a police unit (<see cref="PartnerMembershipQuery"/>),
    /// as for referrals and case bundles: a police account outside one (not linked yet, taken out
    /// of its unit, or in a counselling partner) sees no campaign.
    /// </summary>
    public static async Task<CampaignViewer> ForAsync(string userId, Func<string, bool> isInRole, PartnerMembershipQuery membership, CancellationToken cancellationToken) =>
        new(userId, isInRole(StaffRoles.Supervisor), isInRole(StaffRoles.Police) && await IsPoliceOfficerAsync(userId, membership, cancellationToken));

    /// <summary>A member, in the Police role, of a police unit.</summary>
    public static async Task<bool> IsPoliceOfficerAsync(string userId, PartnerMembershipQuery membership, CancellationToken cancellationToken) =>
        await membership.HandleAsync(userId, cancellationToken) is { Type: PartnerType.Police };
}

/// <summary>
/// The one place that decides which cases a campaign viewer may count and list. Supervisors see
/// every case of the charity. Police (members of a police unit, see <see cref="CampaignViewer.ForAsync"/>)
/// see only cases whose victim gave police consent, and a
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
