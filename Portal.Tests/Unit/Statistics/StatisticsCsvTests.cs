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
