using Portal.Web.Accounts;
using Portal.Web.Audit;
using Portal.Web.Bundles;
using Portal.Web.Campaigns;
using Portal.Web.CaseFile;
using Portal.Web.Data;
using Portal.Web.Demo;
using Portal.Web.Email;
using Portal.Web.Evidence;
using Portal.Web.Jobs;
using Portal.Web.Keys;
using Portal.Web.Localization;
using Portal.Web.Messaging;
using Portal.Web.Reports;
using Portal.Web.Routing;
using Portal.Web.Security;
using Portal.Web.Staff;
using Portal.Web.Triage;

namespace Portal.Web.Hosting;

public static class PortalRegistration
{
    /// <summary>
    /// Everything the portal registers, in order: the web server, the operator verbs and the
    /// benchmarks all build the same portal from this one list.
    /// </summary>
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        builder.AddPortalPaths();
        builder.AddPortalKeys();
        builder.AddPortalEmail();
        builder.AddPortalData();
        builder.AddPortalIdentity();
        builder.AddPortalInvitations();
        builder.AddPortalLocalization();
        builder.AddPortalStaffWorkspace();
        builder.AddPortalSecurity();
        builder.AddPortalReports();
        builder.AddPortalEvidence();
        builder.AddPortalIntake();
        builder.AddPortalAudit();
        builder.AddPortalTriage();
        builder.AddPortalMessaging();
        builder.AddPortalRouting();
        builder.AddPortalBundles();
        builder.AddPortalCampaigns();
        builder.AddPortalCaseFile();
        builder.AddPortalJobs();
        builder.AddPortalDemo();
        return builder;
    }
}
