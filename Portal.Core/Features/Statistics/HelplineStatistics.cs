using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Statistics;

public enum StatisticsPeriod
{
    Day,
    Week,
}

/// <summary>The figures of one local day or week (Monday to Sunday in Portal:TimeZone).</summary>
public sealed record PeriodFigures(
    DateOnly Start,
    int Days,
    int Reports,
    IReadOnlyDictionary<CasePriority, int> ByPriority,
    IReadOnlyDictionary<TriageRoute, int> Decisions,
    int Answered,
    int? MedianFirstResponseSeconds);

/// <summary>Counts per period over the last <see cref="HelplineStatisticsHandler.DaysShown"/> days or <see cref="HelplineStatisticsHandler.WeeksShown"/> weeks, oldest first.</summary>
public sealed record HelplineStatistics(StatisticsPeriod By, string TimeZone, IReadOnlyList<PeriodFigures> Periods)
{
    public int Reports => Periods.Sum(p => p.Reports);
}

/// <summary>
/// Statistics for the people who fund and run the helpline: reports, their risk level (the
/// priority the report was given), where triage sent cases, and the time to the first answer,
/// per local day or week. Anonymous by construction: only counts and a median leave here, read
/// from columns that hold no content (creation time, priority, first-response seconds, decision
/// time and route), so retained cases still count. A report is counted in the period it arrived;
/// a decision in the period it was made; a first response with its report. Shared between
/// viewers for <see cref="FreshFor"/>.
/// </summary>
public sealed class HelplineStatisticsHandler(PortalDbContext db, PortalTimeZone zone, AuditTrail audit, TimeProvider clock, IMemoryCache cache)
{
    public const int DaysShown = 30;

    public const int WeeksShown = 26;

    public static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(60);

    public async Task<HelplineStatistics> HandleAsync(StatisticsPeriod by, CancellationToken cancellationToken) =>
        await cache.GetOrCreateAsync("helpline-statistics-" + by, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = FreshFor;
            return await ComputeAsync(by, cancellationToken);
        }) ?? await ComputeAsync(by, cancellationToken);

    /// <summary>The figures for a download, recorded in the trail (what was exported, never by whom it will be read).</summary>
    public async Task<HelplineStatistics> ExportAsync(StatisticsPeriod by, Actor actor, CancellationToken cancellationToken)
    {
        var statistics = await HandleAsync(by, cancellationToken);
        await audit.AppendAsync(actor.Event(AuditActions.StatisticsExported, subject: by.ToString(), detail: string.Create(CultureInfo.InvariantCulture, $"{statistics.Periods.Count} periods from {statistics.Periods[0].Start:yyyy-MM-dd}")), cancellationToken);
        return statistics;
    }

    public async Task<HelplineStatistics> ComputeAsync(StatisticsPeriod by, CancellationToken cancellationToken)
    {
        var today = zone.LocalDay(clock.GetUtcNow().UtcDateTime);
        var starts = by == StatisticsPeriod.Day
            ? Enumerable.Range(0, DaysShown).Select(i => today.AddDays(i - DaysShown + 1)).ToList()
            : Enumerable.Range(0, WeeksShown).Select(i => PortalTimeZone.WeekStart(today).AddDays(7 * (i - WeeksShown + 1))).ToList();
        var length = by == StatisticsPeriod.Day ? 1 : 7;
        var from = zone.StartUtc(starts[0]);
        var to = zone.StartUtc(starts[^1].AddDays(length));

        // Short columns of the window's rows, grouped here: local days cannot be computed in SQL
        // on both providers alike, and a busy month is tens of thousands of small rows.
        var reports = await db.Cases.AsNoTracking()
            .Where(c => c.CreatedAt >= from && c.CreatedAt < to)
            .Select(c => new { c.CreatedAt, c.Priority, c.FirstResponseSeconds })
            .ToListAsync(cancellationToken);
        var decisions = await db.TriageDecisions.AsNoTracking()
            .Where(d => d.DecidedAt >= from && d.DecidedAt < to)
            .Select(d => new { d.DecidedAt, d.Route })
            .ToListAsync(cancellationToken);

        int PeriodOf(DateTime utc) => (zone.LocalDay(utc).DayNumber - starts[0].DayNumber) / length;
        var reportsBy = reports.ToLookup(r => PeriodOf(r.CreatedAt));
        var decisionsBy = decisions.ToLookup(d => PeriodOf(d.DecidedAt));
        var periods = starts.Select((start, i) =>
        {
            var inPeriod = reportsBy[i].ToList();
            var answered = inPeriod.Where(r => r.FirstResponseSeconds is not null).Select(r => r.FirstResponseSeconds ?? 0).Order().ToList();
            return new PeriodFigures(
                start,
                length,
                inPeriod.Count,
                Enum.GetValues<CasePriority>().ToDictionary(p => p, p => inPeriod.Count(r => r.Priority == p)),
                Enum.GetValues<TriageRoute>().ToDictionary(r => r, r => decisionsBy[i].Count(d => d.Route == r)),
                answered.Count,
                Median(answered));
        }).ToList();
        return new HelplineStatistics(by, zone.Id, periods);
    }

    private static int? Median(List<int> sorted) => sorted.Count switch
    {
        0 => null,
        var n when n % 2 == 1 => sorted[n / 2],
        var n => (int)Math.Round((sorted[(n / 2) - 1] + (double)sorted[n / 2]) / 2, MidpointRounding.AwayFromZero),
    };
}
