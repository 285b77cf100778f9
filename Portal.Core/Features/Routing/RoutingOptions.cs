using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Features.Routing;

public sealed class RoutingOptions
{
    public const string Section = "Routing";

    /// <summary>A referral assigned this long ago and not acknowledged moves to the next partner, and supervisors are told.</summary>
    public TimeSpan AcknowledgeWithin { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The same for urgent referrals (self-harm, immediate danger).</summary>
    public TimeSpan UrgentAcknowledgeWithin { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>An unassigned referral is tried again after this long (capacity frees each day, partners are added).</summary>
    public TimeSpan UnassignedRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Where a partner's day (its daily capacity) starts and ends.</summary>
    [Required]
    public string DayTimeZone { get; set; } = "Europe/Helsinki";

    /// <summary>A run that claimed a notification and died before sending it lets another run send after this long.</summary>
    public TimeSpan NotificationClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
