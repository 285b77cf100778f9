using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Dashboard;

/// <summary>Reports received in one period: a day (<see cref="Days"/> = 1) or a week starting on Monday (7).</summary>
public sealed record PeriodCount(DateOnly Start, int Days, int Count);

/// <summary>Counts of reports per UTC day, grouped in the database; periods without reports are there with 0.</summary>
public static class CasesOverTime
{
    /// <summary>Longer spans are shown per week so a chart keeps readable bars.</summary>
    public const int MaxDailySpan = 62;

    public static async Task<IReadOnlyList<PeriodCount>> PerDayAsync(IQueryable<Case> cases, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var counts = await CountByDayAsync(cases, first, last, cancellationToken);
        return Days(first, last).Select(d => new PeriodCount(d, 1, counts.GetValueOrDefault(d))).ToList();
    }

    /// <summary>Per day for spans up to <see cref="MaxDailySpan"/> days, otherwise per week.</summary>
    public static async Task<IReadOnlyList<PeriodCount>> TimelineAsync(IQueryable<Case> cases, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        if (last.DayNumber - first.DayNumber < MaxDailySpan)
        {
            return await PerDayAsync(cases, first, last, cancellationToken);
        }

        var counts = await CountByDayAsync(cases, first, last, cancellationToken);
        var monday = first.AddDays(-(((int)first.DayOfWeek + 6) % 7));
        var weeks = new List<PeriodCount>();
        for (var start = monday; start <= last; start = start.AddDays(7))
        {
            weeks.Add(new PeriodCount(start, 7, Days(start, start.AddDays(6)).Sum(d => counts.GetValueOrDefault(d))));
        }

        return weeks;
    }

    private static async Task<Dictionary<DateOnly, int>> CountByDayAsync(IQueryable<Case> cases, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var from = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = last.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var rows = await cases.Where(c => c.CreatedAt >= from && c.CreatedAt < to)
            .GroupBy(c => c.CreatedAt.Date)
            .Select(g => new { Day = g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return rows.ToDictionary(r => DateOnly.FromDateTime(r.Day), r => r.Count);
    }

    private static IEnumerable<DateOnly> Days(DateOnly first, DateOnly last)
    {
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            yield return day;
        }
    }
}
