using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Portal.Core.Data;
using Portal.Core.Features.Evidence.Intake;

namespace Portal.Core.Features.Dashboard;

public sealed record LanguageCount(string Language, int Open, int Total);

public sealed record SupervisorDashboard(
    IReadOnlyDictionary<CasePriority, int> OpenByPriority,
    IReadOnlyList<PeriodCount> CasesPerDay,
    TimeSpan? MedianFirstResponse,
    int Responded,
    IReadOnlyList<LanguageCount> ByLanguage,
    IntakeCounts? Intake = null);

/// <summary>
/// The load at a glance, counts only (no case content, so admins may see it too). Every figure is
/// a grouped query the database answers from an index: open cases per priority from the partial
/// queue index, reports per day and response times from (CreatedAt, FirstResponseSeconds) and its mirror, languages
/// from (Language, Status). The median is taken over the window's answered cases only, which is
/// why the page also says how many that is. Supervisors share one computation for
/// <see cref="FreshFor"/>: at 100,000 cases it costs a few hundred milliseconds on SQLite, and
/// figures over thirty days lose nothing by being half a minute old.
/// </summary>
public sealed class SupervisorDashboardHandler(PortalDbContext db, PortalTimeZone zone, TimeProvider clock, IMemoryCache cache)
{
    public const int WindowDays = 30;

    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(30);

    public async Task<SupervisorDashboard> HandleAsync(CancellationToken cancellationToken) =>
        await cache.GetOrCreateAsync("supervisor-dashboard", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = FreshFor;
            return await ComputeAsync(cancellationToken);
        }) ?? await ComputeAsync(cancellationToken);

    public async Task<SupervisorDashboard> ComputeAsync(CancellationToken cancellationToken)
    {
        var cases = db.Cases.AsNoTracking();
        var today = zone.LocalDay(clock.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - WindowDays);

        // Two equalities, not a list, so the SQL matches the queue index's filter.
        var open = await cases.Where(c => c.Status == CaseStatus.Received || c.Status == CaseStatus.InTriage)
            .GroupBy(c => c.Priority).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(cancellationToken);
        var byPriority = Enum.GetValues<CasePriority>().ToDictionary(p => p, p => open.FirstOrDefault(r => r.Key == p)?.Count ?? 0);

        var perDay = await CasesOverTime.PerDayAsync(cases, first, today, zone, cancellationToken);

        // The median: count the window's answered reports off (CreatedAt, FirstResponseSeconds),
        // then read the middle one or two in order off the filtered (FirstResponseSeconds,
        // CreatedAt) index. No date arithmetic per row, no sort, nothing loaded but the middle.
        var from = zone.StartUtc(first);
        var answered = cases.Where(c => c.CreatedAt >= from && c.FirstResponseSeconds != null);
        var responded = await answered.CountAsync(cancellationToken);
        var middle = responded == 0 ? [] : await answered.OrderBy(c => c.FirstResponseSeconds)
            .Skip((responded - 1) / 2).Take(2 - (responded % 2))
            .Select(c => c.FirstResponseSeconds ?? 0)
            .ToListAsync(cancellationToken);
        TimeSpan? median = middle.Count == 0 ? null : TimeSpan.FromSeconds(middle.Average());

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

        return new SupervisorDashboard(byPriority, perDay, median, responded, byLanguage, await IntakeCounts.ReadAsync(db, cancellationToken));
    }
}
