using AngleSharp.Html.Parser;
using Portal.Core.Features.Guidance;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.Guidance;

/// <summary>
/// A crisis number in the guidance can be tapped to call (issue 15, defect 11): every number in
/// every article, in every language, is a tel: link that dials what it shows and says when the
/// line answers in the crisis panel's words.
/// </summary>
public sealed class GuidancePhoneNumberTests
{
    public static TheoryData<string, string> Articles()
    {
        var directory = RepositoryFiles.PathOf("Portal.Web", "Guidance");
        var data = new TheoryData<string, string>();
        foreach (var language in new[] { "en", "fi", "sv" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(directory, language), "*.md").Order(StringComparer.Ordinal))
            {
                data.Add(language, Path.GetFileNameWithoutExtension(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Articles))]
    public void EveryPhoneNumber_IsATelLink_WithItsOpeningHours(string language, string slug)
    {
        var article = GuidanceLibrary.Load(RepositoryFiles.PathOf("Portal.Web", "Guidance")).Find(slug, language);
        Assert.NotNull(article);
        Assert.Equal(language, article.Language);
        var body = new HtmlParser().ParseDocument($"<div id=\"article\">{article.Html}</div>").GetElementById("article")!;

        Assert.Empty(PhoneNumbers.OutsideTelLinks(body));
        Assert.Empty(PhoneNumbers.LinkProblems(body, language));
    }

    [Fact]
    public void Check_FindsANumberOutsideALink_AndALinkWithoutHours()
    {
        var body = new HtmlParser().ParseDocument("""
            <div id="article"><ul><li>RIKU: <strong>116 006</strong>.</li><li><a href="tel:112">112</a> now.</li>
            <li>MIELI: <a href="tel:+358925250111">09 2525 0111</a>. Day and night.</li><li><a href="tel:+358925250112">09 2525 0111</a>. At set hours on weekdays; today's hours are on mieli.fi.</li></ul></div>
            """).GetElementById("article")!;

        Assert.Equal(["116 006"], PhoneNumbers.OutsideTelLinks(body));
        var problems = PhoneNumbers.LinkProblems(body, "en");
        Assert.Equal(2, problems.Count);
        Assert.Contains("Free, day and night", problems[0], StringComparison.Ordinal);
        Assert.Contains("dials another number", problems[1], StringComparison.Ordinal);
    }
}
