using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Portal.Core.Features;

/// <summary>Portal:TimeZone: where the helpline works. Staff read times in it, and statistics count its days.</summary>
public sealed class PortalTimeOptions
{
    public const string Section = "Portal";

    public const string DefaultTimeZone = "Europe/Helsinki";

    [Required]
    public string TimeZone { get; set; } = DefaultTimeZone;
}

/// <summary>
/// The helpline's time zone. The database keeps UTC; staff pages show local times and
/// statistics count local days (midnight to midnight where the helpline is, across DST changes).
/// </summary>
public sealed class PortalTimeZone(IOptions<PortalTimeOptions> options)
{
    private readonly TimeZoneInfo zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);

    public string Id => zone.Id;

    public TimeZoneInfo Zone => zone;

    public DateTime ToLocal(DateTime utc) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    public DateOnly LocalDay(DateTime utc) => DateOnly.FromDateTime(ToLocal(utc));

    /// <summary>The UTC instant the local <paramref name="day"/> begins (in a zone whose clocks jump over midnight, the first valid minute).</summary>
    public DateTime StartUtc(DateOnly day)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    /// <summary>The Monday of the local week <paramref name="day"/> is in.</summary>
    public static DateOnly WeekStart(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
}
