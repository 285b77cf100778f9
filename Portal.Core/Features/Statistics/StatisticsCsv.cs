using System.Globalization;
using System.Text;
using Portal.Core.Data;

namespace Portal.Core.Features.Statistics;

/// <summary>
/// The statistics as CSV for people outside the helpline (funders, reports), anonymous counts
/// only: no reference, no id, no text, one row per period. A count from 1 to
/// <see cref="SuppressBelow"/> - 1 is written as "&lt;5": in a small period it could point at a
/// person (the one urgent report from a small town that day). A row's priorities add up to its
/// reports, so hidden cells could be worked out from the others (one hidden cell by subtraction;
/// two hidden cells that must add up to 2 are 1 and 1): while any could, the smallest other
/// non-zero priority of that row is hidden too, written "x", and the total when none is left. A median is written
/// only over at least <see cref="SuppressBelow"/> answered reports. Zero is written as 0: it
/// says only that nothing happened. Decision 0034 records why.
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
        var parts = SuppressWithTotal(priorities, total: period.Reports);
        var routes = new[] { TriageRoute.Police, TriageRoute.Counselling, TriageRoute.PoliceAndCounselling, TriageRoute.InformationOnly, TriageRoute.Close }
            .Select(r => Cell(period.Decisions.GetValueOrDefault(r)));
        var median = period.Answered >= SuppressBelow && period.MedianFirstResponseSeconds is { } seconds
            ? Math.Round(seconds / 60.0, 1).ToString("0.0", CultureInfo.InvariantCulture)
            : "";
        return
        [
            period.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            period.Days.ToString(CultureInfo.InvariantCulture),
            parts.HideTotal ? HiddenToProtectAnother : Cell(period.Reports),
            .. parts.Cells,
            .. routes,
            Cell(period.Answered),
            median,
        ];
    }

    public static string Cell(int count) => count is > 0 and < SuppressBelow ? Hidden : count.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Cells of counts that add up to <paramref name="total"/>: small ones hidden, and then, as
    /// long as the published cells and total would still let a reader work out any hidden count
    /// (one hidden part of a shown total; two hidden parts that can only be 1 and 1), the smallest
    /// other non-zero part is hidden too ("x"). When no part is left to hide, the total is
    /// (<see cref="SuppressedParts.HideTotal"/>).
    /// </summary>
    public static SuppressedParts SuppressWithTotal(IReadOnlyList<int> counts, int total)
    {
        var cells = counts.Select(Cell).ToList();
        var hideTotal = false;
        while (Disclosed(counts, cells, total, hideTotal))
        {
            var partner = Enumerable.Range(0, counts.Count)
                .Where(i => counts[i] > 0 && cells[i] != Hidden && cells[i] != HiddenToProtectAnother)
                .OrderBy(i => counts[i]).ThenBy(i => i)
                .Cast<int?>()
                .FirstOrDefault();
            if (partner is { } other)
            {
                cells[other] = HiddenToProtectAnother;
            }
            else
            {
                hideTotal = true;
                break;
            }
        }

        return new SuppressedParts(cells, hideTotal);
    }

    /// <summary>The cells of <see cref="SuppressWithTotal"/>, for a total that is published as it is.</summary>
    public static IReadOnlyList<string> Suppressed(IReadOnlyList<int> counts, int total) => SuppressWithTotal(counts, total).Cells;

    /// <summary>
    /// Whether some hidden part has only one value that fits what is published: every "&lt;5" part
    /// is 1-4, every "x" part at least 5 (it would have been shown), the shown parts as shown, and all of them add up to the
    /// total (or, when the total is hidden too, to something from 1 to 4).
    /// </summary>
    private static bool Disclosed(IReadOnlyList<int> counts, IReadOnlyList<string> cells, int total, bool totalHidden)
    {
        var small = Enumerable.Range(0, cells.Count).Where(i => cells[i] == Hidden).ToList();
        var protectors = Enumerable.Range(0, cells.Count).Count(i => cells[i] == HiddenToProtectAnother);
        if (small.Count == 0 && protectors == 0)
        {
            return false;
        }

        var shown = Enumerable.Range(0, cells.Count).Where(i => cells[i] != Hidden && cells[i] != HiddenToProtectAnother).Sum(i => counts[i]);
        var totals = totalHidden ? [] : Cell(total) == Hidden ? Enumerable.Range(1, SuppressBelow - 1).ToArray() : new[] { total };
        if (totals.Length == 0)
        {
            return false;
        }

        // Every way of filling the small parts with 1-4 (at most 4^4 for the four priorities).
        var seen = small.Select(_ => new HashSet<int>()).ToList();
        var protectorSums = new HashSet<int>();
        var values = new int[small.Count];
        void Fill(int position)
        {
            if (position == small.Count)
            {
                var rest = values.Sum();
                foreach (var t in totals)
                {
                    var left = t - shown - rest;
                    // An "x" hides a part that would have been shown, so it is at least 5.
                    if (protectors == 0 ? left != 0 : left < protectors * SuppressBelow)
                    {
                        continue;
                    }

                    for (var i = 0; i < values.Length; i++)
                    {
                        seen[i].Add(values[i]);
                    }

                    protectorSums.Add(left);
                }

                return;
            }

            for (var v = 1; v < SuppressBelow; v++)
            {
                values[position] = v;
                Fill(position + 1);
            }
        }

        Fill(0);

        // A lone "x" is disclosed when the parts around it leave it one value; several share theirs.
        return seen.Any(s => s.Count == 1) || (protectors == 1 && protectorSums.Count == 1);
    }
}

/// <summary>A row's parts as published, and whether its total must be hidden as well to protect them.</summary>
public sealed record SuppressedParts(IReadOnlyList<string> Cells, bool HideTotal);
