using System.Text;
using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class TransferEncodingTests
{
    [Theory]
    [InlineData("TWFrc2Egbnl0IQ==", "Maksa nyt!")]
    [InlineData("TWFr\r\nc2Eg\r\n  bnl0\tIQ", "Maksa nyt!")]
    [InlineData("TWFrc2E=", "Maksa")]
    [InlineData("TWFrc2E", "Maksa")]
    [InlineData("TWE=TWE=", "MaMa")]
    [InlineData("TQ", "M")]
    [InlineData("", "")]
    public void DecodeBase64_WhitespaceMissingPaddingAndGluedChunks_DecodeCleanly(string input, string expected)
    {
        var decoded = TransferEncoding.DecodeBase64(Encoding.ASCII.GetBytes(input), out var clean);

        Assert.Equal(expected, Encoding.ASCII.GetString(decoded));
        Assert.True(clean);
    }

    [Fact]
    public void DecodeBase64_InvalidCharacters_AreSkippedAndReported()
    {
        var decoded = TransferEncoding.DecodeBase64("TWF!rc2E*gbn\0l0IQ=="u8, out var clean);

        Assert.Equal("Maksa nyt!", Encoding.ASCII.GetString(decoded));
        Assert.False(clean);
    }

    [Fact]
    public void Decode_Base64WithInvalidCharacters_AddsWarning()
    {
        var context = new EmailReadContext(new EmailReaderLimits());

        TransferEncoding.Decode("TWF!rc2E"u8, "Base64", context);

        Assert.Contains(context.Warnings, w => w.Contains("base64", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Hyv=C3=A4", "Hyvä")]
    [InlineData("Hyv=c3=a4", "Hyvä")]
    [InlineData("pitk=\r\n=C3=A4 rivi", "pitkä rivi")]
    [InlineData("pitk=\n=C3=A4 rivi", "pitkä rivi")]
    [InlineData("pehme=  \r\nä", "pehmeä")]
    [InlineData("rivi   \r\nseuraava\t\r\n", "rivi\r\nseuraava\r\n")]
    [InlineData("v=C3=A4li=20\r\n", "väli \r\n")]
    [InlineData("loppu=", "loppu")]
    public void DecodeQuotedPrintable_SoftBreaksEscapesAndTrailingWhitespace_AreHandled(string input, string expected)
    {
        var decoded = TransferEncoding.DecodeQuotedPrintable(Encoding.UTF8.GetBytes(input), out var wellFormed);

        Assert.Equal(expected, Encoding.UTF8.GetString(decoded));
        Assert.True(wellFormed);
    }

    [Theory]
    [InlineData("100 =% alennus", "100 =% alennus")]
    [InlineData("a=G1b", "a=G1b")]
    [InlineData("a=4", "a=4")]
    public void DecodeQuotedPrintable_BadEscapes_AreKeptAndReported(string input, string expected)
    {
        var decoded = TransferEncoding.DecodeQuotedPrintable(Encoding.ASCII.GetBytes(input), out var wellFormed);

        Assert.Equal(expected, Encoding.ASCII.GetString(decoded));
        Assert.False(wellFormed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("7bit")]
    [InlineData("8BIT")]
    [InlineData(" binary ")]
    public void Decode_IdentityEncodings_ReturnTheBytesUnchanged(string? encoding)
    {
        var context = new EmailReadContext(new EmailReaderLimits());
        byte[] body = [0x00, 0xFF, 0x3D, 0x0A];

        Assert.Equal(body, TransferEncoding.Decode(body, encoding, context));
        Assert.Empty(context.Warnings);
    }

    [Fact]
    public void Decode_UnknownEncoding_ReturnsBytesWithWarning()
    {
        var context = new EmailReadContext(new EmailReaderLimits());

        Assert.Equal("begin 644 x"u8.ToArray(), TransferEncoding.Decode("begin 644 x"u8, "x-uuencode", context));
        Assert.Contains(context.Warnings, w => w.Contains("Content-Transfer-Encoding", StringComparison.Ordinal));
    }
}
