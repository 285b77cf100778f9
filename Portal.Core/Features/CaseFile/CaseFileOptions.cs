using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Portal.Core.Features.CaseFile;

/// <summary>The victim's case file: diary limits, deadline reminders and the fonts of the printable PDF (section "CaseFile").</summary>
public sealed class CaseFileOptions
{
    public const string Section = "CaseFile";

    /// <summary>Debian's fonts-dejavu-core: covers Finnish and Swedish (and far more); loaded at run time, never shipped.</summary>
    [Required]
    public string RegularFont { get; set; } = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

    [Required]
    public string BoldFont { get; set; } = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    /// <summary>Entries one case's diary may hold: what an anonymous visitor can store is bounded.</summary>
    [Range(1, 100_000)]
    public int MaxDiaryEntries { get; set; } = 2_000;

    /// <summary>Days before a deadline that a victim who chose email is reminded, comma-separated ("14,2").</summary>
    [Required]
    [RegularExpression(@"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$")]
    public string ReminderDaysBefore { get; set; } = "14,2";

    /// <summary>How long a run's claim on a reminder holds before another run may send it (a run that died mid-send).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan ReminderClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where a deadline's day begins and ends.</summary>
    [Required]
    public string TimeZone { get; set; } = "Europe/Helsinki";

    /// <summary>
    /// A case file whose files add up to at most this many bytes is decrypted and hashed whole
    /// before its first byte is sent, so a damaged file is refused with a page; larger ones are
    /// checked chunk by chunk while they stream (the download is cut at a bad chunk), so that the
    /// download starts within a second (docs/decisions/0025).
    /// </summary>
    [Range(0, long.MaxValue)]
    public long VerifyBeforeStreamingBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>The reminder stages, largest first.</summary>
    public IReadOnlyList<int> ReminderStages() =>
        ReminderDaysBefore.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            .Distinct()
            .OrderDescending()
            .ToList();

    /// <summary>Today's date where deadlines are kept.</summary>
    public DateOnly Today(TimeProvider clock) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById(TimeZone)).DateTime);
}
