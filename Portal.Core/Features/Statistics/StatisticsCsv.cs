using System.Globalization;
using System.Text;
using Portal.Core.Data;

namespace Portal.Core.Features.Statistics;

/// <summary>
/// The statistics as CSV for people outside the helpline (funders, reports), anonymous counts
/// only: no reference, no id, no text, one row per period. A count from 1 to
/// <see cref="SuppressBelow"/> - 1 is written as "&lt;5": in a small period it could point at a
/// person (the one urgent report from a small town that day). Where a row's priorities add up to
/// its published reports, a single hidden cell could be worked out by subtraction, so the
/// smallest other non-zero priority of that row is hidden too, written "x". A median is written
/// only over at least <see cref="SuppressBelow"/> answered reports. Zero is written as 0: it
/// says only that nothing happened. Decision 0024 records why.
/// </summary>
public static class StatisticsCsv
{
    public const int SuppressBelow = 5;

    public const string Hidden = "<5";

    public const string HiddenToProtectAnother = "x";

    public static readonly IReadOnlyList<string> Header =
    [
        "period_start", "period_days", "reports",
        "priority_normal", "priority_raised", "priority_high", "priority_urgent",
        "decided_police", "decided_counselling", "decided_police_and_counselling", "decided_information_only", "decided_closed",
        "answered", "median_first_response_minutes",
    ];

    public static string Write(HelplineStatistics statistics)
    {
        var csv = new StringBuilder();
        csv.Append(string.Join(',', Header)).Append("\r\n");
        foreach (var period in statistics.Periods)
        {
            csv.Append(string.Join(',', Row(period))).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>One period's cells, suppressed as the class says.</summary>
    public static IReadOnlyList<string> Row(PeriodFigures period)
    {
        var priorities = Enum.GetValues<CasePriority>().Select(p => period.ByPriority.GetValueOrDefault(p)).ToList();
        var priorityCells = Suppressed(priorities, total: period.Reports);
        var routes = new[] { TriageRoute.Police, TriageRoute.Counselling, TriageRoute.PoliceAndCounselling, TriageRoute.InformationOnly, TriageRoute.Close }
            .Select(r => Cell(period.Decisions.GetValueOrDefault(r)));
        var median = period.Answered >= SuppressBelow && period.MedianFirstResponseSeconds is { } seconds
            ? Math.Round(seconds / 60.0, 1).ToString("0.0", CultureInfo.InvariantCulture)
            : "";
        return
        [
            period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            period.Days.ToString(CultureInfo.InvariantCulture),
            Cell(period.Reports),
            .. priorityCells,
            .. routes,
            Cell(period.Answered),
            median,
        ];
    }

    public static string Cell(int count) => count is > 0 and < SuppressBelow ? Hidden : count.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Cells of counts that add up to a published <paramref name="total"/>: small ones hidden, and
    /// when exactly one is hidden while the total is shown, the smallest other non-zero one too.
    /// </summary>
    public static IReadOnlyList<string> Suppressed(IReadOnlyList<int> counts, int total)
    {
        var cells = counts.Select(Cell).ToList();
        var hidden = Enumerable.Range(0, counts.Count).Where(i => cells[i] == Hidden).ToList();
        if (hidden.Count == 1 && Cell(total) != Hidden)
        {
            var partner = Enumerable.Range(0, counts.Count)
                .Where(i => i != hidden[0] && counts[i] > 0)
                .OrderBy(i => counts[i]).ThenBy(i => i)
                .Cast<int?>()
                .FirstOrDefault();
            if (partner is { } other)
            {
                cells[other] = HiddenToProtectAnother;
            }
        }

        return cells;
    }
}
