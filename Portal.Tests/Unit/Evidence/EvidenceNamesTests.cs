using Portal.Core.Features.Evidence;

namespace Portal.Tests.Unit.Evidence;

/// <summary>The victim's file name as the portal keeps and shows it.</summary>
public sealed class EvidenceNamesTests
{
    [Theory]
    [InlineData(194, 1)]
    [InlineData(195, 0)]
    public void Clean_LongNameWithEmoji_IsCutBetweenCharacters_AndKeepsItsExtension(int letters, int emojiKept)
    {
        // An emoji is a surrogate pair; the cut at 196 chars used to fall inside one and leave U+FFFD.
        var name = new string('a', letters) + string.Concat(Enumerable.Repeat("😀", 20)) + ".eml";

        var cleaned = EvidenceNames.Clean(name, FileTypes.EmailType);

        Assert.Equal(new string('a', letters) + string.Concat(Enumerable.Repeat("😀", emojiKept)) + ".eml", cleaned);
        Assert.DoesNotContain(System.Text.Rune.ReplacementChar, cleaned.EnumerateRunes());
    }

    [Fact]
    public void Clean_LongNameOfJoinedEmoji_KeepsOnlyWholeOnes()
    {
        // A family emoji reads as one character but is three joined emoji (eight chars): half of one is another picture.
        const string family = "👨‍👩‍👧";
        var name = new string('a', 186) + string.Concat(Enumerable.Repeat(family, 5)) + ".eml";

        var cleaned = EvidenceNames.Clean(name, FileTypes.EmailType);

        Assert.Equal(new string('a', 186) + family + ".eml", cleaned);
        Assert.True(cleaned.Length <= EvidenceNames.MaxLength);
    }
}
