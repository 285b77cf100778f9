using System.Text;
using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class HeaderBlockTests
{
    private readonly EmailReadContext context = new(new EmailReaderLimits());

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    public void Read_FoldedLines_AreUnfoldedKeepingTheFoldingWhitespace(string newline)
    {
        var data = Encoding.ASCII.GetBytes($"Subject: first{newline} second{newline}\tthird{newline}To: a@example.org{newline}{newline}body");

        var headers = HeaderBlock.Read(data, context, out var bodyStart);

        Assert.Equal([new RawHeader("Subject", "first second\tthird"), new RawHeader("To", "a@example.org")], headers);
        Assert.Equal("body", Encoding.ASCII.GetString(data, bodyStart, data.Length - bodyStart));
    }

    [Fact]
    public void Read_NoEmptyLine_EndsAtEndOfInputWithNoBody()
    {
        var data = Encoding.ASCII.GetBytes("Subject: x\r\nTo: a@example.org");

        var headers = HeaderBlock.Read(data, context, out var bodyStart);

        Assert.Equal(2, headers.Count);
        Assert.Equal(data.Length, bodyStart);
    }

    [Fact]
    public void Read_WhitespaceBeforeColon_IsAcceptedAsObsoleteSyntax()
    {
        var headers = HeaderBlock.Read("Subject : old style\r\n\r\n"u8, context, out _);

        Assert.Equal([new RawHeader("Subject", "old style")], headers);
    }

    [Fact]
    public void Read_FoldedLineBeforeAnyField_IsSkippedWithWarning()
    {
        var headers = HeaderBlock.Read(" orphan\r\nSubject: x\r\n\r\n"u8, context, out _);

        Assert.Equal([new RawHeader("Subject", "x")], headers);
        Assert.Contains(context.Warnings, w => w.Contains("no field before it", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_RawUtf8Value_IsDecodedAsUtf8()
    {
        var headers = HeaderBlock.Read(Encoding.UTF8.GetBytes("Subject: Hyvä päivä\r\n\r\n"), context, out _);

        Assert.Equal("Hyvä päivä", headers[0].Value);
    }

    [Fact]
    public void Read_RawLatin1Value_IsDecodedAsWindows1252()
    {
        var headers = HeaderBlock.Read(Encoding.Latin1.GetBytes("Subject: Hyv\u00e4 \u0080\r\n\r\n"), context, out _);

        Assert.Equal("Hyvä €", headers[0].Value);
    }

    [Fact]
    public void Read_VeryLongFieldName_IsNotTakenForAField()
    {
        var headers = HeaderBlock.Read(Encoding.ASCII.GetBytes(new string('X', 500) + ": y\r\nSubject: z\r\n\r\n"), context, out _);

        Assert.Equal([new RawHeader("Subject", "z")], headers);
    }
}
