using System.Globalization;
using Microsoft.Extensions.Options;

namespace Portal.Core.Features.Reports;

/// <summary>
/// Times on the victim's pages, in their time zone (Reports:TimeZone, Europe/Helsinki by default)
/// and written the way their language writes them; the database keeps UTC.
/// </summary>
public sealed class VictimTime(IOptions<ReportOptions> options)
{
    private readonly TimeZoneInfo zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);

    public TimeZoneInfo Zone => zone;

    public DateTimeOffset Local(DateTime utc)
    {
        var instant = new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        return TimeZoneInfo.ConvertTime(instant, zone);
    }

    /// <summary>The day, e.g. 6.12.2026 in Finnish.</summary>
    public string Date(DateTime utc) => Local(utc).ToString("d", CultureInfo.CurrentCulture);

    /// <summary>The day and the time of day, e.g. 6.12.2026 klo 14.05 in Finnish.</summary>
    public string DateAndTime(DateTime utc) => Local(utc).ToString("g", CultureInfo.CurrentCulture);

    /// <summary>For the datetime attribute of a time element: the instant with its offset.</summary>
    public string Machine(DateTime utc) => Local(utc).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
