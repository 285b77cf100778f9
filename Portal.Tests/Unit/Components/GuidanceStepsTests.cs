using Bunit;
using Portal.Core.Features.Guidance;
using Portal.Tests.Support;
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

    [Theory]
    [InlineData("en")]
    [InlineData("fi")]
    [InlineData("sv")]
    public void EveryNumberInTheSummaries_IsATelLink_WithItsOpeningHours(string language)
    {
        var library = GuidanceLibrary.Load(RepositoryFiles.PathOf("Portal.Web", "Guidance"));
        var articles = library.All(language);
        Assert.Contains(articles, a => a.Summary.Contains("112", StringComparison.Ordinal));

        var steps = RenderIn<GuidanceSteps>(language, p => p.Add(c => c.Steps, articles));

        var list = steps.Find("ol.guidance-steps");
        Assert.Equal("tel:112", steps.Find($"li[data-slug={GuidanceRules.CrisisHelp}] > p a").GetAttribute("href"));
        Assert.Empty(PhoneNumbers.OutsideTelLinks(list));
        Assert.Empty(PhoneNumbers.LinkProblems(list, language));
    }

    [Fact]
    public void Summary_IsMarkdownWithoutHtml_AndStaysOneParagraph()
    {
        var authored = DontPay with { Summary = "Keep **calm**. <script>alert(1)</script> [x](javascript:alert(1))" };

        var steps = RenderIn<GuidanceSteps>("en", p => p.Add(c => c.Steps, [authored]));

        var summary = steps.Find("li > p");
        Assert.Equal("calm", summary.QuerySelector("strong")?.TextContent);
        Assert.Empty(steps.FindAll("script"));
        Assert.Empty(steps.FindAll("li > p p"));
        Assert.Equal("#", summary.QuerySelector("a")?.GetAttribute("href"));
    }

    [Fact]
    public void NoSteps_RendersNothing()
    {
        var steps = RenderIn<GuidanceSteps>("en", p => p.Add(c => c.Steps, []));

        Assert.Equal("", steps.Markup.Trim());
    }
}
