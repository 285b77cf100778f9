using Bunit;
using Portal.Core.Data;
using Portal.Web.Components;

namespace Portal.Tests.Unit.Components;

public sealed class PriorityBadgeTests : ComponentTestContext
{
    [Theory]
    [InlineData(CasePriority.Normal, "en", "priority-normal", "Normal")]
    [InlineData(CasePriority.Raised, "en", "priority-raised", "Raised")]
    [InlineData(CasePriority.High, "en", "priority-high", "High")]
    [InlineData(CasePriority.Urgent, "en", "priority-urgent", "Urgent")]
    [InlineData(CasePriority.Urgent, "fi", "priority-urgent", "Kiireellinen")]
    [InlineData(CasePriority.Raised, "sv", "priority-raised", "Förhöjd")]
    public void Badge_NamesThePriorityInWords_NotByColourAlone(CasePriority priority, string culture, string cssClass, string word)
    {
        var badge = RenderIn<PriorityBadge>(culture, p => p.Add(c => c.Priority, priority));

        var span = badge.Find("span[data-testid=priority]");
        Assert.Equal(word, span.TextContent);
        Assert.Equal(["priority", cssClass], span.ClassList);
    }

    [Fact]
    public void EveryPriority_HasItsOwnTranslation_InEveryLanguage()
    {
        foreach (var culture in new[] { "en", "fi", "sv" })
        {
            var words = Enum.GetValues<CasePriority>().Select(p => RenderIn<PriorityBadge>(culture, b => b.Add(c => c.Priority, p)).Find("span").TextContent).ToList();

            Assert.Equal(words.Count, words.Distinct().Count());
            Assert.DoesNotContain(words, w => w.StartsWith("Priority.", StringComparison.Ordinal));
        }
    }
}
