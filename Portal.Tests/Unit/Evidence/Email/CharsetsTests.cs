using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class CharsetsTests
{
    [Theory]
    [InlineData("ISO-8859-1", 0xE4, "ä")]
    [InlineData("iso-8859-2", 0xB9, "š")]
    [InlineData("iso-8859-3", 0xBB, "ğ")]
    [InlineData("iso-8859-4", 0xBF, "ŋ")]
    [InlineData("iso-8859-5", 0xD0, "а")]
    [InlineData("iso-8859-6", 0xC7, "ا")]
    [InlineData("iso-8859-7", 0xE1, "α")]
    [InlineData("iso-8859-8", 0xE0, "א")]
    [InlineData("iso-8859-9", 0xFD, "ı")]
    [InlineData("iso-8859-10", 0xBF, "ŋ")]
    [InlineData("iso-8859-10", 0xFF, "ĸ")]
    [InlineData("iso-8859-11", 0xA1, "ก")]
    [InlineData("iso-8859-13", 0xE0, "ą")]
    [InlineData("iso-8859-14", 0xA1, "Ḃ")]
    [InlineData("iso-8859-14", 0xD0, "Ŵ")]
    [InlineData("iso-8859-15", 0xA4, "€")]
    [InlineData("windows-1250", 0x9A, "š")]
    [InlineData("windows-1251", 0xC0, "А")]
    [InlineData("windows-1252", 0x80, "€")]
    [InlineData("windows-1253", 0xE1, "α")]
    [InlineData("windows-1254", 0xFD, "ı")]
    [InlineData("windows-1255", 0xE0, "א")]
    [InlineData("windows-1256", 0xC7, "ا")]
    [InlineData("windows-1257", 0xE0, "ą")]
    [InlineData("windows-1258", 0xE0, "à")]
    [InlineData("cp1252", 0x80, "€")]
    [InlineData("\"Windows-1252\"", 0x80, "€")]
    [InlineData("latin1", 0xE4, "ä")]
    [InlineData("us-ascii (Plain text)", 0x41, "A")]
    public void Decode_SupportedCharsets_MapTheByteToItsCharacter(string charset, int value, string expected)
    {
        var context = new EmailReadContext(new EmailReaderLimits());

        Assert.Equal(expected, Charsets.Decode([(byte)value], charset, context));
        Assert.Empty(context.Warnings);
    }

    [Fact]
    public void Decode_AsciiLabelOnUtf8Bytes_ReadsUtf8()
    {
        Assert.Equal("hyvä", Charsets.Decode("hyvä"u8, "us-ascii", null));
    }

    [Fact]
    public void Decode_NoLabelOnInvalidUtf8_ReadsWindows1252()
    {
        Assert.Equal("hyvä €", Charsets.Decode([(byte)'h', (byte)'y', (byte)'v', 0xE4, (byte)' ', 0x80], null, null));
    }

    [Fact]
    public void Decode_Utf8LabelOnInvalidBytes_UsesReplacementCharacters()
    {
        Assert.Equal("a\uFFFDb", Charsets.Decode([(byte)'a', 0xFF, (byte)'b'], "utf-8", null));
    }
}
