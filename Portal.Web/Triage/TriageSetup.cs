using Portal.Core.Features.Triage;

namespace Portal.Web.Triage;

public static class TriageSetup
{
    public static WebApplicationBuilder AddPortalTriage(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TriageOptions>().BindConfiguration(TriageOptions.Section);
        builder.Services.AddMemoryCache();
        builder.Services.AddScoped<TriageQueueHandler>();
        builder.Services.AddScoped<ClaimCaseHandler>();
        builder.Services.AddScoped<GetCaseDetailsHandler>();
        builder.Services.AddScoped<DecideTriageHandler>();
        builder.Services.AddScoped<ReassignCaseHandler>();
        return builder;
    }
}
