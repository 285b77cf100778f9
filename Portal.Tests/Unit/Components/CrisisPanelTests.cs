using Bunit;
using Portal.Core.Features.Guidance;
using Portal.Web.Components;

namespace Portal.Tests.Unit.Components;

public sealed class CrisisPanelTests : ComponentTestContext
{
    [Fact]
    public void Panel_IsALabelledSection_WithTheEmergencyNumberAndAHelplineAndALinkToUrgentHelp()
    {
        var panel = RenderIn<CrisisPanel>("en", _ => { });

        var section = panel.Find("section[data-testid=crisis-panel]");
        Assert.Equal("crisis-title", section.GetAttribute("aria-labelledby"));
        Assert.Equal("h2", panel.Find("#crisis-title").LocalName);
        Assert.Equal("Get help right now", panel.Find("#crisis-title").TextContent);
        Assert.Contains("112", panel.Find("strong").TextContent, StringComparison.Ordinal);
        Assert.Equal(2, panel.FindAll("li").Count);
        Assert.Equal($"/guidance/{GuidanceRules.CrisisHelp}", panel.Find("a[href^='/guidance/']").GetAttribute("href"));
    }

    [Fact]
    public void Panel_EveryNumberIsATelLink_WithWhenItAnswers()
    {
        var panel = RenderIn<CrisisPanel>("fi", _ => { });

        var numbers = panel.FindAll("a[href^='tel:']").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(["tel:112", "tel:+358925250111", "tel:+358925250112", "tel:+358925250116", "tel:116006"], numbers);
        Assert.Equal(4, panel.FindAll(".crisis-hours").Count);
        Assert.All(panel.FindAll(".crisis-hours"), hours => Assert.False(string.IsNullOrWhiteSpace(hours.TextContent)));
        Assert.Contains("ympäri vuorokauden", panel.Find("[data-testid=call-112] + .crisis-hours").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fi", "Apua heti", "09 2525 0111 (suomeksi)")]
    [InlineData("sv", "09 2525 0112 (svenska)")]
    public void Panel_InTheVictimsLanguage(string culture, params string[] texts)
    {
        var panel = RenderIn<CrisisPanel>(culture, _ => { });

        Assert.All(texts, t => Assert.Contains(t, panel.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain("Get help right now", panel.Markup, StringComparison.Ordinal);
    }
}
