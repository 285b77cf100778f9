using Microsoft.Extensions.Options;

namespace Portal.Web.Localization;

/// <summary>
/// One setting names the helpline's zone (Portal:TimeZone). The zones that victims' pages, the
/// case file's deadlines and partners' days use follow it unless set apart, so a helpline outside
/// Finland changes one line, and a victim's page, their case file and its PDF never disagree.
/// </summary>
public static class TimeZoneSettings
{
    public static OptionsBuilder<T> FollowPortalTimeZone<T>(this OptionsBuilder<T> options, IConfiguration configuration, string key, Action<T, string> set)
        where T : class =>
        options.PostConfigure(o =>
        {
            if (configuration[key] is null && configuration["Portal:TimeZone"] is { Length: > 0 } zone)
            {
                set(o, zone);
            }
        });
}
