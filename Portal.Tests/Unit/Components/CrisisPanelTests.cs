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
        Assert.Equal($"/guidance/{GuidanceRules.CrisisHelp}", panel.Find("a").GetAttribute("href"));
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
