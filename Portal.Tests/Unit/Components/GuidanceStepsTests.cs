using Bunit;
using Portal.Core.Features.Guidance;
using Portal.Web.Components;

namespace Portal.Tests.Unit.Components;

public sealed class GuidanceStepsTests : ComponentTestContext
{
    private static readonly GuidanceArticle Crisis = new(GuidanceRules.CrisisHelp, "en", "Get help now", "Call 112 in danger.", 0, "<p>Call <strong>112</strong>.</p>");
    private static readonly GuidanceArticle DontPay = new("dont-pay", "en", "Do not pay", "Paying does not stop them.", 1, "<p>Keep the email.</p>");

    [Fact]
    public void Steps_InOrder_EachLinkingToItsArticle_TheCrisisStepMarkedUrgent()
    {
        var steps = RenderIn<GuidanceSteps>("en", p => p.Add(c => c.Steps, [Crisis, DontPay]));

        var items = steps.FindAll("ol.guidance-steps > li[data-testid=guidance-step]");
        Assert.Equal([GuidanceRules.CrisisHelp, "dont-pay"], items.Select(i => i.GetAttribute("data-slug")));
        Assert.Equal(["/guidance/crisis-help", "/guidance/dont-pay"], items.Select(i => i.QuerySelector("h3 a")?.GetAttribute("href")));
        Assert.Equal(["Get help now", "Do not pay"], items.Select(i => i.QuerySelector("h3 a")?.TextContent));
        Assert.Equal("Paying does not stop them.", items[1].QuerySelector("p")?.TextContent);
        Assert.Contains("urgent", items[0].ClassList);
        Assert.DoesNotContain("urgent", items[1].ClassList);
    }

    [Fact]
    public void Collapsed_ByDefault_WithoutTheArticlesText()
    {
        var steps = RenderIn<GuidanceSteps>("en", p => p.Add(c => c.Steps, [DontPay]));

        Assert.Empty(steps.FindAll("details"));
        Assert.DoesNotContain("Keep the email.", steps.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Expanded_CarriesEachArticleInADetailsElement_InTheVictimsLanguage()
    {
        var steps = RenderIn<GuidanceSteps>("fi", p => p.Add(c => c.Steps, [Crisis, DontPay]).Add(c => c.Expanded, true));

        var details = steps.FindAll("li details");
        Assert.Equal(2, details.Count);
        Assert.All(details, d => Assert.Equal("Lue täältä", d.QuerySelector("summary")?.TextContent));
        Assert.Equal("112", details[0].QuerySelector(".article-body strong")?.TextContent);
    }

    [Fact]
    public void NoSteps_RendersNothing()
    {
        var steps = RenderIn<GuidanceSteps>("en", p => p.Add(c => c.Steps, []));

        Assert.Equal("", steps.Markup.Trim());
    }
}
