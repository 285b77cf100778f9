using Microsoft.Extensions.Options;
using Portal.Core.Features;
using Portal.Core.Features.Statistics;

namespace Portal.Web.Staff;

public static class StaffSetup
{
    /// <summary>The staff workspace's own pieces: the helpline's time zone (Portal:TimeZone) staff read times in, and the statistics.</summary>
    public static WebApplicationBuilder AddPortalStaffWorkspace(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalTimeOptions>()
            .BindConfiguration(PortalTimeOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => TimeZoneInfo.TryFindSystemTimeZoneById(o.TimeZone, out _), "Portal:TimeZone is not a known time zone (an IANA name such as Europe/Helsinki).")
            .ValidateOnStart();
        builder.Services.AddSingleton(sp => new PortalTimeZone(sp.GetRequiredService<IOptions<PortalTimeOptions>>()));
        builder.Services.AddScoped<HelplineStatisticsHandler>();
        return builder;
    }
}
