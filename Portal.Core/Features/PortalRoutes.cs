using System.Globalization;

namespace Portal.Core.Features;

/// <summary>
/// The portal's own addresses that emails link to and use cases redirect to, in one place, so a
/// renamed page cannot leave a link behind. Every constant and every method here is checked
/// against the web application's endpoints by a test (PortalRoutesTests): each must reach a page
/// that answers GET.
/// </summary>
public static class PortalRoutes
{
    public const string Home = "/";

    /// <summary>The admins' news for staff and victims.</summary>
    public const string Updates = "/updates";

    /// <summary>A victim enters reference and receipt key here.</summary>
    public const string StatusOpen = "/status/open";

    /// <summary>The victim's own case, once opened.</summary>
    public const string Status = "/status";

    public const string StatusEvidence = "/status/evidence";

    public const string Staff = "/staff";

    public const string StaffQueue = "/staff/queue";

    /// <summary>Referrals waiting without a partner (supervisors).</summary>
    public const string StaffReferrals = "/staff/referrals";

    public const string StaffCampaigns = "/staff/campaigns";

    /// <summary>Unread messages from victims (volunteers and supervisors).</summary>
    public const string StaffMessages = "/staff/messages";

    public const string StaffDashboard = "/staff/dashboard";

    /// <summary>Anonymous counts per day and week for funders and helpline leads, and their CSV.</summary>
    public const string StaffStatistics = "/staff/statistics";

    public const string StaffStatisticsExport = "/staff/statistics/export";

    public const string StaffAudit = "/staff/audit";

    public const string StaffUsers = "/staff/users";

    /// <summary>Admins post an update for staff and victims.</summary>
    public const string StaffNewNotice = "/staff/updates/new";

    public const string StaffCannedResponses = "/staff/canned-responses";

    public const string StaffInvitations = "/staff/invitations";

    public const string AdminPartners = "/admin/partners";

    public const string AdminJobs = "/admin/jobs";

    /// <summary>The partner workspace: the referrals an organisation holds.</summary>
    public const string PartnerReferrals = "/partner/referrals";

    /// <summary>Staff sign in here (password, then the authenticator's code).</summary>
    public const string AccountSignIn = "/account/sign-in";

    /// <summary>Where a new staff member sets up two-factor sign-in.</summary>
    public const string AccountTwoFactor = "/account/two-factor";

    public static string StaffCase(Guid caseId) => "/staff/cases/" + caseId.ToString("D");

    public static string StaffCampaign(Guid campaignId) => "/staff/campaigns/" + campaignId.ToString("D");

    /// <summary>A campaign action's progress, reloaded by the supervisor while it runs.</summary>
    public static string StaffCampaignAction(Guid campaignId, long actionId) =>
        StaffCampaign(campaignId) + "/actions/" + actionId.ToString(CultureInfo.InvariantCulture);

    public static string PartnerReferral(long referralId) => "/partner/referrals/" + referralId.ToString(CultureInfo.InvariantCulture);

    /// <summary>An invitation link. The token goes in the query, not the path: request paths appear in routing and static-file logs.</summary>
    public static string AccountInvitation(string token) => "/account/invitation?token=" + Uri.EscapeDataString(token);
}
