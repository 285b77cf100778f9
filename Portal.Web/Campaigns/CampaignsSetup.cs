using Portal.Core.Features.Campaigns;
using Portal.Core.Features.Dashboard;

namespace Portal.Web.Campaigns;

public static class CampaignsSetup
{
    /// <summary>Campaign clustering and pages, and the supervisor dashboard that sits beside them in the staff area.</summary>
    public static WebApplicationBuilder AddPortalCampaigns(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<RecomputeCampaignsHandler>();
        builder.Services.AddScoped<CampaignQueries>();
        builder.Services.AddScoped<ApproveCampaignExportHandler>();
        builder.Services.AddScoped<SupervisorDashboardHandler>();
        builder.Services.AddScoped<PreviewCampaignActionHandler>();
        builder.Services.AddScoped<StartCampaignActionHandler>();
        builder.Services.AddScoped<RunCampaignActionsHandler>();
        builder.Services.AddScoped<CampaignActionProgressQuery>();
        return builder;
    }
}
