using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class EncodedWordsTests
{
    [Theory]
    [InlineData("=?ISO-8859-1?Q?Meik=E4l=E4inen?=", "Meikäläinen")]
    [InlineData("=?iso-8859-1?q?a_b=5Fc?=", "a b_c")]
    [InlineData("=?UTF-8?B?VmFzdGFhbW8gw6Rsw6Q=?=", "Vastaamo älä")]
    [InlineData("=?utf-8?b?VmFzdGFhbW8gw6Rsw6Q?=", "Vastaamo älä")]
    [InlineData("=?windows-1252?Q?=80_500?=", "€ 500")]
    [InlineData("=?ISO-8859-15?Q?=A4?=", "€")]
    [InlineData("=?ISO-8859-2?Q?=B9?=", "š")]
    [InlineData("=?KOI8-R?B?8NLJ18XU?=", "Привет")]
    [InlineData("=?utf-8*fi?Q?hyv=C3=A4?=", "hyvä")]
    public void Decode_SingleWord_DecodesCharsetAndEncoding(string value, string expected)
    {
        Assert.Equal(expected, EncodedWords.Decode(value, null));
    }

    [Fact]
    public void Decode_AdjacentWordsSeparatedByWhitespace_AreJoinedWithoutIt()
    {
        Assert.Equal("Vastaamo: maksa", EncodedWords.Decode("=?utf-8?q?Vastaamo:?=  \t =?utf-8?q?_maksa?=", null));
    }

    [Fact]
    public void Decode_WordsSplittingOneUtf8Character_AreDecodedTogether()
    {
        // "ä" is C3 A4; a careless sender put each byte in its own word.
        Assert.Equal("sisällä", EncodedWords.Decode("=?UTF-8?Q?sis=C3?= =?UTF-8?Q?=A4ll=C3=A4?=", null));
    }

    [Fact]
    public void Decode_WordsInDifferentCharsets_AreEachDecodedInTheirOwn()
    {
        Assert.Equal("äö", EncodedWords.Decode("=?ISO-8859-1?Q?=E4?= =?UTF-8?Q?=C3=B6?=", null));
    }

    [Fact]
    public void Decode_TextBetweenWords_IsKeptWithItsSpaces()
    {
        Assert.Equal("Re: ä and ö", EncodedWords.Decode("Re: =?utf-8?q?=C3=A4?= and =?utf-8?q?=C3=B6?=", null));
    }

    [Theory]
    [InlineData("=?utf-8?x?abc?=")]
    [InlineData("=?utf-8?q?no end")]
    [InlineData("=?utf-8?q?has space?=")]
    [InlineData("=??q?empty charset?=")]
    [InlineData("plain = text ?= with marks =?")]
    public void Decode_MalformedWord_IsLeftAsWritten(string value)
    {
        Assert.Equal(value, EncodedWords.Decode(value, null));
    }

    [Fact]
    public void Decode_UnknownCharset_FallsBackWithWarning()
    {
        var context = new EmailReadContext(new EmailReaderLimits());

        var decoded = EncodedWords.Decode("=?x-unheard-of?Q?hyv=C3=A4?=", context);

        Assert.Equal("hyvä", decoded);
        Assert.Contains(context.Warnings, w => w.Contains("x-unheard-of", StringComparison.Ordinal));
    }

    [Fact]
    public void Decode_ManyUnterminatedWords_LeavesTextAsWritten()
    {
        var value = string.Concat(Enumerable.Repeat("=?a?q?x", 100_000));

        Assert.Equal(value, EncodedWords.Decode(value, null));
    }
}
