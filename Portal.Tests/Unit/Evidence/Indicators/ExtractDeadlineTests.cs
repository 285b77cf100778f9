using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Data;

namespace Portal.Tests.Unit.Evidence.Indicators;

public sealed class ExtractDeadlineTests
{
    [Theory]
    [InlineData("Pay within 24 hours.", "24", "within 24 hours")]
    [InlineData("in 48 hours", "48", "in 48 hours")]
    [InlineData("You have 24h.", "24", "24h")]
    [InlineData("a 72-hour deadline", "72", "72-hour")]
    [InlineData("within 2 days", "48", "within 2 days")]
    [InlineData("within the next 3 days", "72", "within the next 3 days")]
    [InlineData("within twenty-four hours", "24", "within twenty-four hours")]
    [InlineData("Twenty four hours", "24", "Twenty four hours")]
    [InlineData("two days", "48", "two days")]
    [InlineData("within a day", "24", "within a day")]
    [InlineData("in one hour", "1", "in one hour")]
    [InlineData("Maksa 72 tunnin sisällä.", "72", "72 tunnin sisällä")]
    [InlineData("Aikaa on 48 tuntia.", "48", "48 tuntia")]
    [InlineData("24 tunnissa", "24", "24 tunnissa")]
    [InlineData("kahden päivän kuluessa", "48", "kahden päivän kuluessa")]
    [InlineData("kaksi päivää", "48", "kaksi päivää")]
    [InlineData("vuorokauden sisällä", "24", "vuorokauden sisällä")]
    [InlineData("kolmen vuorokauden aikana", "72", "kolmen vuorokauden aikana")]
    [InlineData("2 vrk", "48", "2 vrk")]
    [InlineData("inom 24 timmar", "24", "inom 24 timmar")]
    [InlineData("48 timmar", "48", "48 timmar")]
    [InlineData("2 dygn", "48", "2 dygn")]
    [InlineData("inom två dagar", "48", "inom två dagar")]
    [InlineData("ett dygn", "24", "ett dygn")]
    public void Extract_SpanOfHoursOrDays_IsDeadlineInHoursWithMatchedText(string text, string hours, string matched)
    {
        var deadline = Assert.Single(Extracted.Of(IndicatorKind.Deadline, text));

        Assert.Equal(hours, deadline.Value);
        Assert.Equal(matched, deadline.Detail);
    }

    [Theory]
    [InlineData("48\u00A0tuntia", "48")]
    [InlineData("within\u202F24\u00A0hours", "24")]
    [InlineData("inom\t2\u2009dygn", "48")]
    public void Extract_DeadlineWithUnicodeSpaces_IsFound(string text, string hours)
    {
        Assert.Equal([hours], Extracted.Values(IndicatorKind.Deadline, text));
    }

    [Theory]
    [InlineData("One day we will publish everything.")]
    [InlineData("En dag kommer allt ut.")]
    [InlineData("The breach took 1.5 hours.")]
    [InlineData("Meeting at 12:30 h")]
    [InlineData("Published in 2020.")]
    [InlineData("0 hours")]
    [InlineData("We have 24 employees")]
    [InlineData("tämän päivän uutiset")]
    [InlineData("hours and days")]
    [InlineData("24hours1")]
    public void Extract_TextWithoutSpanOfTime_IsNoDeadline(string text)
    {
        Assert.Empty(Extracted.Of(IndicatorKind.Deadline, text));
    }

    [Fact]
    public void Extract_SameSpanWrittenThreeWays_IsOneDeadlineWithFirstText()
    {
        var text = "Within 24 hours (24h, vuorokauden sisällä) or else.";

        Assert.Equal([new Indicator(IndicatorKind.Deadline, "24", "Within 24 hours")], Extracted.Of(IndicatorKind.Deadline, text));
    }

    [Fact]
    public void Extract_TwoDifferentSpans_AreTwoDeadlinesInOrder()
    {
        var text = "Pay in 48 hours, or after 7 days everything is public.";

        Assert.Equal(["48", "168"], Extracted.Values(IndicatorKind.Deadline, text));
    }
}
