using System.Security.Claims;
using Portal.Core.Data;
using Portal.Core.Features;

namespace Portal.Web.Staff;

/// <summary>A place in the staff area, named by a UI string.</summary>
public sealed record StaffLink(string Href, string LabelKey);

/// <summary>
/// The staff area's navigation: each role sees the places it may open and no others (the pages
/// check again; a link is only a way there). One list, so every staff page shows the same.
/// </summary>
public static class StaffNavigation
{
    public static IReadOnlyList<StaffLink> For(ClaimsPrincipal user)
    {
        var admin = user.IsInRole(StaffRoles.Admin);
        var supervisor = user.IsInRole(StaffRoles.Supervisor);
        var triage = supervisor || user.IsInRole(StaffRoles.Volunteer);
        var partner = user.IsInRole(StaffRoles.Counsellor) || user.IsInRole(StaffRoles.Police);
        var links = new List<StaffLink> { new(PortalRoutes.Staff, "StaffNav.Home") };
        if (triage)
        {
            links.Add(new(PortalRoutes.StaffQueue, "Queue.Title"));
            links.Add(new(PortalRoutes.StaffMessages, "Messages.Unread.Title"));
        }

        if (partner)
        {
            links.Add(new(PortalRoutes.PartnerReferrals, "Partner.Title"));
        }

        if (supervisor || user.IsInRole(StaffRoles.Police))
        {
            links.Add(new(PortalRoutes.StaffCampaigns, "Campaigns.Title"));
        }

        if (supervisor || admin)
        {
            links.Add(new(PortalRoutes.StaffDashboard, "Dashboard.Title"));
            links.Add(new(PortalRoutes.StaffStatistics, "Statistics.Title"));
            links.Add(new(PortalRoutes.StaffReferrals, "Referrals.Title"));
            links.Add(new(PortalRoutes.StaffCannedResponses, "Canned.Title"));
            links.Add(new(PortalRoutes.StaffAudit, "Audit.Title"));
        }

        if (admin)
        {
            links.Add(new(PortalRoutes.StaffUsers, "Users.Title"));
            links.Add(new(PortalRoutes.StaffInvitations, "Invitations.Title"));
            links.Add(new(PortalRoutes.AdminPartners, "Partners.Title"));
            links.Add(new(PortalRoutes.AdminJobs, "Jobs.Title"));
            links.Add(new(PortalRoutes.StaffNewNotice, "Staff.PostNotice"));
        }

        return links;
    }

    /// <summary>The link of the section a page belongs to: the longest that starts its path ("/staff" only for itself).</summary>
    public static StaffLink? Current(IReadOnlyList<StaffLink> links, PathString path) =>
        links.Where(l => l.Href == PortalRoutes.Staff ? path.Equals(l.Href, StringComparison.OrdinalIgnoreCase) || path.Equals(l.Href + "/", StringComparison.OrdinalIgnoreCase) : path.StartsWithSegments(l.Href, StringComparison.OrdinalIgnoreCase))
            .MaxBy(l => l.Href.Length);

    /// <summary>The roles a member holds, in the order the portal lists them.</summary>
    public static IReadOnlyList<string> RolesOf(ClaimsPrincipal user) => [.. StaffRoles.All.Where(user.IsInRole)];
}
