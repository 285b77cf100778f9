using System.Reflection;
using Portal.Core.Features.Guidance;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.Guidance;

public sealed class GuidanceLibraryTests
{
    private static readonly string[] Languages = ["en", "fi", "sv"];

    private static IEnumerable<string> AllSlugs() =>
        typeof(GuidanceRules).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!);

    [Fact]
    public void EveryArticleTheRulesCanChoose_ExistsInEveryLanguage_WithTitleAndSummary()
    {
        var directory = RepositoryFiles.PathOf("Portal.Web", "Guidance");
        var library = GuidanceLibrary.Load(directory);

        foreach (var language in Languages)
        {
            foreach (var slug in AllSlugs())
            {
                Assert.True(File.Exists(Path.Combine(directory, language, slug + ".md")), $"{language}/{slug}.md is missing");
                var article = library.Find(slug, language);
                Assert.NotNull(article);
                Assert.Equal(language, article.Language);
                Assert.False(string.IsNullOrWhiteSpace(article.Summary), $"{language}/{slug} has no summary");
                Assert.Contains("<p>", article.Html, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Find_MissingTranslation_FallsBackToEnglish_AndUnknownSlugIsNull()
    {
        var library = GuidanceLibrary.Load(RepositoryFiles.PathOf("Portal.Web", "Guidance"));

        Assert.Equal("en", library.Find(GuidanceRules.DontPay, "de")?.Language);
        Assert.Null(library.Find("no-such-article", "en"));
    }

    [Fact]
    public void Parse_ReadsFrontMatter_AndEscapesRawHtml()
    {
        var article = GuidanceLibrary.Parse("test", "en", """
            ---
            title: Stay safe
            summary: A short summary.
            order: 7
            ---
            ## Heading

            Some **bold** text. <script>alert(1)</script> <img src=x onerror=alert(1)>

            [link](javascript:alert(1)) <javascript:alert(2)> [ok](https://poliisi.fi) [local](/guidance/dont-pay)
            """);

        Assert.Equal("Stay safe", article.Title);
        Assert.Equal("A short summary.", article.Summary);
        Assert.Equal(7, article.Order);
        Assert.Contains("<h2", article.Html, StringComparison.Ordinal);
        Assert.Contains("<strong>bold</strong>", article.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", article.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", article.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"javascript:", article.Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("href=\"https://poliisi.fi\"", article.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"/guidance/dont-pay\"", article.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WithoutTitle_FailsWithTheArticleNamed()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GuidanceLibrary.Parse("broken", "fi", "---\nsummary: x\n---\nbody"));

        Assert.Contains("fi/broken", error.Message, StringComparison.Ordinal);
    }
}
