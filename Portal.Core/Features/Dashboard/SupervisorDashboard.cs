using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Dashboard;

public sealed record LanguageCount(string Language, int Open, int Total);

public sealed record SupervisorDashboard(
    IReadOnlyDictionary<CasePriority, int> OpenByPriority,
    IReadOnlyList<PeriodCount> CasesPerDay,
    TimeSpan? MedianFirstResponse,
    int Responded,
    IReadOnlyList<LanguageCount> ByLanguage);

/// <summary>
/// The load at a glance, counts only (no case content, so admins may see it too). Every figure is
/// a grouped query the database answers from an index: open cases per priority from the partial
/// queue index, reports per day and response times from (CreatedAt, FirstResponseAt), languages
/// from (Language, Status). The median is taken over the window's answered cases only, which is
/// why the page also says how many that is.
/// </summary>
public sealed class SupervisorDashboardHandler(PortalDbContext db, TimeProvider clock)
{
    public const int WindowDays = 30;

    public async Task<SupervisorDashboard> HandleAsync(CancellationToken cancellationToken)
    {
        var cases = db.Cases.AsNoTracking();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - WindowDays);

        // Two equalities, not a list, so the SQL matches the queue index's filter.
        var open = await cases.Where(c => c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage)
            .GroupBy(c => c.Priority).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var byPriority = Enum.GetValues<CasePriority>().ToDictionary(p => p, p => open.FirstOrDefault(r => r.Key == p)?.Count ?? 0);

        var perDay = await CasesOverTime.PerDayAsync(cases, first, today, cancellationToken);

        // The window's answered cases, two timestamps each: at most one window of reports, never the whole table.
        var from = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var answered = await cases.Where(c => c.CreatedAt >= from && c.FirstResponseAt != null)
            .Select(c => new { c.CreatedAt, c.FirstResponseAt })
            .ToListAsync(cancellationToken);
        var waits = answered.Select(a => (a.FirstResponseAt ?? a.CreatedAt) - a.CreatedAt).Order().ToList();

        var languages = await cases.GroupBy(c => new { c.Language, c.Status })
            .Select(g => new { g.Key.Language, g.Key.Status, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var byLanguage = languages.GroupBy(l => l.Language)
            .Select(g => new LanguageCount(
                g.Key,
                g.Where(l => l.Status is CaseStatus.Received or CaseStatus.InTriage).Sum(l => l.Count),
                g.Sum(l => l.Count)))
            .OrderByDescending(l => l.Total).ThenBy(l => l.Language, StringComparer.Ordinal)
            .ToList();

        return new SupervisorDashboard(byPriority, perDay, Median(waits), waits.Count, byLanguage);
    }

    /// <summary>The middle value, or the mean of the two middle values; null when there are none.</summary>
    public static TimeSpan? Median(IReadOnlyList<TimeSpan> sorted) => sorted.Count switch
    {
        0 => null,
        var n when n % 2 == 1 => sorted[n / 2],
        var n => (sorted[(n / 2) - 1] + sorted[n / 2]) / 2,
    };
}
