using System.Globalization;
using Bunit;
using Portal.Core.Features.Dashboard;
using Portal.Web.Components;

namespace Portal.Tests.Unit.Components;

public sealed class BarChartTests : ComponentTestContext
{
    private static readonly DateOnly Start = new(2026, 11, 1);

    private static List<PeriodCount> Days(params int[] counts) =>
        [.. counts.Select((count, i) => new PeriodCount(Start.AddDays(i), 1, count))];

    private IRenderedComponent<BarChart> RenderChart(IReadOnlyList<PeriodCount> periods, string culture = "en") =>
        RenderIn<BarChart>(culture, parameters => parameters
            .Add(c => c.Id, "per-day")
            .Add(c => c.Title, "Reports per day")
            .Add(c => c.Periods, periods)
            .Add(c => c.CountHeader, "Reports"));

    [Fact]
    public void Bars_OnePerPeriod_HeightsProportionalToCounts_OnOneBaseline()
    {
        var page = RenderChart(Days(3, 0, 12, 6));

        var bars = page.FindAll("svg rect.chart-bar");
        Assert.Equal(["3", "0", "12", "6"], bars.Select(b => b.GetAttribute("data-count")));
        var heights = bars.Select(b => double.Parse(b.GetAttribute("height") ?? "", CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(0, heights[1]);
        Assert.Equal(heights[2] / 2, heights[3], 1);
        Assert.Equal(heights[2] / 4, heights[0], 1);
        var bottoms = bars.Select(b => double.Parse(b.GetAttribute("y") ?? "", CultureInfo.InvariantCulture) + double.Parse(b.GetAttribute("height") ?? "", CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.Single(bottoms);
        var xs = bars.Select(b => double.Parse(b.GetAttribute("x") ?? "", CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(xs.Order(), xs);

        // The scale's top is a round number at or above the largest count.
        Assert.Contains(page.FindAll("svg text.chart-tick"), t => t.TextContent == "20");
    }

    [Fact]
    public void Svg_IsANamedImage_WithASummary_AndTheSameNumbersInATable()
    {
        var page = RenderChart(Days(3, 0, 12, 6));

        var svg = page.Find("svg");
        Assert.Equal("img", svg.GetAttribute("role"));
        var labelledBy = (svg.GetAttribute("aria-labelledby") ?? "").Split(' ');
        Assert.Equal(["per-day-title", "per-day-desc"], labelledBy);
        Assert.Equal("Reports per day", page.Find("#per-day-title").TextContent);
        Assert.Equal("title", page.Find("#per-day-title").LocalName);
        Assert.Equal("Reports from 2026-11-01 to 2026-11-04: 21; the most, 12, on 2026-11-03.", page.Find("#per-day-desc").TextContent);

        var rows = page.FindAll("table [data-testid=chart-row]");
        Assert.Equal(["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"], rows.Select(r => r.QuerySelector("th time")?.GetAttribute("datetime")));
        Assert.Equal(["3", "0", "12", "6"], rows.Select(r => r.QuerySelector("td")?.TextContent));
        Assert.Equal("Reports per day", page.Find("table caption").TextContent);
        Assert.Single(page.FindAll("details > summary"));
    }

    [Fact]
    public void Markup_HasNoInlineStyleOrScript_SoTheStrictCspAllowsIt()
    {
        var page = RenderChart(Days(1, 2, 3));

        Assert.Empty(page.FindAll("[style], style, script"));
        Assert.All(page.FindAll("*").SelectMany(e => e.Attributes), a => Assert.False(a.Name.StartsWith("on", StringComparison.Ordinal), a.Name));
        // Axis labels are SVG text elements (not Razor's text pseudo-tag).
        Assert.Equal(["11-01", "11-02", "11-03"], page.FindAll("svg text.chart-tick").Skip(2).Select(t => t.TextContent));
    }

    [Fact]
    public void WeeklyPeriods_AreLabelledAsWeeks_AndAllZeroSaysSo()
    {
        var weeks = new List<PeriodCount> { new(new DateOnly(2026, 11, 2), 7, 0), new(new DateOnly(2026, 11, 9), 7, 0) };

        var page = RenderChart(weeks);

        Assert.Equal("Week", page.Find("thead th").TextContent);
        Assert.Equal("week of 2026-11-09", page.FindAll("[data-testid=chart-row] th")[^1].TextContent);
        Assert.Equal("No reports in this period.", page.Find("#per-day-desc").TextContent);
        Assert.All(page.FindAll("rect.chart-bar"), b => Assert.Equal("0", b.GetAttribute("height")));
    }

    [Fact]
    public void Finnish_TranslatesTheSummaryAndTable()
    {
        var page = RenderChart(Days(2, 5), "fi");

        Assert.Equal("Näytä luvut taulukkona", page.Find("summary").TextContent);
        Assert.Equal("Päivä", page.Find("thead th").TextContent);
        Assert.StartsWith("Ilmoituksia ajalla 2026-11-01–2026-11-02: 7;", page.Find("#per-day-desc").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 10)]
    [InlineData(12, 20)]
    [InlineData(40, 40)]
    [InlineData(41, 50)]
    [InlineData(990, 1000)]
    public void Scale_IsARoundNumberThatHalvesEvenly(int max, int expected) =>
        Assert.Equal(expected, BarChart.NiceCeiling(max));
}
