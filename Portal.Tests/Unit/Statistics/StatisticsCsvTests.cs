using Portal.Core.Data;
using Portal.Core.Features.Statistics;

namespace Portal.Tests.Unit.Statistics;

/// <summary>The CSV that leaves the portal hides small counts, and any count that the hidden ones could be worked out from.</summary>
public sealed class StatisticsCsvTests
{
    [Theory]
    [InlineData(0, "0")]
    [InlineData(1, "<5")]
    [InlineData(4, "<5")]
    [InlineData(5, "5")]
    [InlineData(1234, "1234")]
    public void Cell_HidesCountsFromOneToFour(int count, string expected) => Assert.Equal(expected, StatisticsCsv.Cell(count));

    [Fact]
    public void OneHiddenPart_OfAShownTotal_HidesTheSmallestOtherPartToo()
    {
        Assert.Equal(["x", "0", "<5", "7"], StatisticsCsv.Suppressed([6, 0, 2, 7], total: 15));
    }

    [Fact]
    public void TwoHiddenParts_OrAHiddenTotal_NeedNothingMoreHidden()
    {
        Assert.Equal(["<5", "0", "0", "<5"], StatisticsCsv.Suppressed([4, 0, 0, 2], total: 6));
        Assert.Equal(["0", "<5", "0", "0"], StatisticsCsv.Suppressed([0, 1, 0, 0], total: 1));
        Assert.Equal(["9", "0", "0", "0"], StatisticsCsv.Suppressed([9, 0, 0, 0], total: 9));
    }

    [Fact]
    public void HiddenParts_ThatCouldOnlyBeOneValueEach_HideAnotherPart_OrTheTotal()
    {
        // 7 reports, 5 normal: the two hidden parts add up to 2, so each is 1. The 5 goes too.
        Assert.Equal(["x", "<5", "<5", "0"], StatisticsCsv.Suppressed([5, 1, 1, 0], total: 7));

        // All four at their largest: 16 = 4 + 4 + 4 + 4 leaves no doubt, and nothing else to hide but the total.
        var full = StatisticsCsv.SuppressWithTotal([4, 4, 4, 4], total: 16);
        Assert.Equal(["<5", "<5", "<5", "<5"], full.Cells);
        Assert.True(full.HideTotal);

        // Four parts of fewer than five reports: one each.
        Assert.True(StatisticsCsv.SuppressWithTotal([1, 1, 1, 1], total: 4).HideTotal);

        // Room for doubt needs nothing more hidden.
        Assert.False(StatisticsCsv.SuppressWithTotal([4, 0, 0, 2], total: 6).HideTotal);

        // Two reports, one normal and one urgent: the total is below five too, so it tells no more than the parts.
        var two = StatisticsCsv.SuppressWithTotal([1, 0, 0, 1], total: 2);
        Assert.Equal(["<5", "0", "0", "<5"], two.Cells);
        Assert.False(two.HideTotal);

        // An "x" stands for a count that would have been shown, 5 or more: 6 = "<5" + "x" makes the "<5" a 1.
        Assert.True(StatisticsCsv.SuppressWithTotal([0, 0, 1, 5], total: 6).HideTotal);
    }

    [Fact]
    public void EveryRowOfSmallCounts_LeavesEachHiddenPartAtLeastTwoPossibleValues()
    {
        // A reader of one published row knows what its signs mean: "<5" is 1 to 4, "x" a count
        // that would have been shown (5 or more), a shown total is the sum of the parts. Every
        // split of up to 12 reports over the four priorities must leave each hidden part at least
        // two values that fit.
        static IEnumerable<int> Range(string cell) => cell switch
        {
            StatisticsCsv.Hidden => Enumerable.Range(1, StatisticsCsv.SuppressBelow - 1),
            StatisticsCsv.HiddenToProtectAnother => Enumerable.Range(StatisticsCsv.SuppressBelow, 20),
            _ => [int.Parse(cell, System.Globalization.CultureInfo.InvariantCulture)],
        };

        foreach (var parts in Enumerable.Range(1, 12).SelectMany(t => Splits(t, 4)))
        {
            var published = StatisticsCsv.SuppressWithTotal(parts, parts.Sum());
            var totals = (published.HideTotal ? Enumerable.Range(1, 100) : Range(StatisticsCsv.Cell(parts.Sum()))).ToHashSet();
            var fitting = Range(published.Cells[0]).SelectMany(a => Range(published.Cells[1]).SelectMany(b => Range(published.Cells[2]).SelectMany(c => Range(published.Cells[3])
                    .Select(d => (int[])[a, b, c, d]))))
                .Where(candidate => totals.Contains(candidate.Sum()))
                .ToList();
            Assert.Contains(fitting, candidate => candidate.SequenceEqual(parts));
            for (var i = 0; i < parts.Length; i++)
            {
                if (published.Cells[i] is StatisticsCsv.Hidden or StatisticsCsv.HiddenToProtectAnother)
                {
                    Assert.True(fitting.Select(candidate => candidate[i]).Distinct().Count() > 1, $"[{string.Join(',', parts)}]: part {i} of {string.Join(',', published.Cells)} (total {(published.HideTotal ? "hidden" : parts.Sum())}) can only be {parts[i]}");
                }
            }
        }
    }

    private static IEnumerable<int[]> Splits(int total, int parts) =>
        parts == 1 ? [[total]] : Enumerable.Range(0, total + 1).SelectMany(first => Splits(total - first, parts - 1).Select(rest => (int[])[first, .. rest]));

    [Fact]
    public void Median_IsWrittenOnlyOverEnoughAnsweredReports()
    {
        static PeriodFigures Period(int answered, int? median) => new(
            new DateOnly(2026, 12, 1), 1, 10,
            Enum.GetValues<CasePriority>().ToDictionary(p => p, p => p == CasePriority.Normal ? 10 : 0),
            Enum.GetValues<TriageRoute>().ToDictionary(r => r, _ => 0),
            answered, median);

        Assert.Equal("", StatisticsCsv.Row(Period(4, 600))[^1]);
        Assert.Equal("10.0", StatisticsCsv.Row(Period(5, 600))[^1]);
        Assert.Equal(StatisticsCsv.Header.Count, StatisticsCsv.Row(Period(5, 600)).Count);
    }
}
