using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Dashboard;

/// <summary>Reports received in one period: a day (<see cref="Days"/> = 1) or a week starting on Monday (7).</summary>
public sealed record PeriodCount(DateOnly Start, int Days, int Count);

/// <summary>Counts of reports per local day or week (Portal:TimeZone); periods without reports are there with 0.</summary>
public static class CasesOverTime
{
    /// <summary>Longer spans are shown per week so a chart keeps readable bars.</summary>
    public const int MaxDailySpan = 62;

    /// <summary>
    /// One count per day, each a range read of the CreatedAt index. Grouping by a computed day
    /// instead made SQLite parse every timestamp in the window: ten times slower at 100,000 cases.
    /// </summary>
    public static async Task<IReadOnlyList<PeriodCount>> PerDayAsync(IQueryable<Case> cases, DateOnly first, DateOnly last, PortalTimeZone zone, CancellationToken cancellationToken)
    {
        var days = new List<PeriodCount>();
        foreach (var day in Days(first, last))
        {
            var from = zone.StartUtc(day);
            var to = zone.StartUtc(day.AddDays(1));
            days.Add(new PeriodCount(day, 1, await cases.CountAsync(c => c.CreatedAt >= from && c.CreatedAt < to, cancellationToken)));
        }

        return days;
    }

    /// <summary>Reports at the given local times, per day for spans up to <see cref="MaxDailySpan"/> days, otherwise per week.</summary>
    public static IReadOnlyList<PeriodCount> Timeline(IReadOnlyCollection<DateTime> reportedAt)
    {
        if (reportedAt.Count == 0)
        {
            return [];
        }

        var counts = reportedAt.GroupBy(DateOnly.FromDateTime).ToDictionary(g => g.Key, g => g.Count());
        var first = counts.Keys.Min();
        var last = counts.Keys.Max();
        if (last.DayNumber - first.DayNumber < MaxDailySpan)
        {
            return Days(first, last).Select(d => new PeriodCount(d, 1, counts.GetValueOrDefault(d))).ToList();
        }

        var monday = first.AddDays(-(((int)first.DayOfWeek + 6) % 7));
        var weeks = new List<PeriodCount>();
        for (var start = monday; start <= last; start = start.AddDays(7))
        {
            weeks.Add(new PeriodCount(start, 7, Days(start, start.AddDays(6)).Sum(d => counts.GetValueOrDefault(d))));
        }

        return weeks;
    }

    private static IEnumerable<DateOnly> Days(DateOnly first, DateOnly last)
    {
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            yield return day;
        }
    }
}
