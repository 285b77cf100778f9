using System.Text;
using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class EmailReaderLimitsTests
{
    [Fact]
    public void Read_NestingDeeperThanMaxDepth_IgnoresInnerPartsWithWarning()
    {
        var email = EmailReader.Read(NestedMultiparts(levels: 12));

        Assert.DoesNotContain("Sisin teksti.", email.TextBody, StringComparison.Ordinal);
        Assert.Contains(email.Warnings, w => w.Contains("nested more than 8 levels", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_NestingWithinRaisedMaxDepth_ReadsInnermostText()
    {
        var email = EmailReader.Read(NestedMultiparts(levels: 12), new EmailReaderLimits { MaxDepth = 12 });

        Assert.Equal("Sisin teksti.", email.TextBody);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void Read_MaxDepthAboveHardCap_IsCappedAndDoesNotRecurseFurther()
    {
        var email = EmailReader.Read(NestedMultiparts(levels: 100), new EmailReaderLimits { MaxDepth = int.MaxValue });

        Assert.DoesNotContain("Sisin teksti.", email.TextBody, StringComparison.Ordinal);
        Assert.Contains(email.Warnings, w => w.Contains($"nested more than {EmailReaderLimits.DeepestNesting} levels", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_MorePartsThanMaxParts_StopsAtTheLimitWithWarning()
    {
        var message = new StringBuilder("Subject: x\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n");
        for (var i = 0; i < 250; i++)
        {
            message.Append($"--p\r\nContent-Type: application/octet-stream; name=\"{i}.bin\"\r\n\r\n{i}\r\n");
        }

        message.Append("--p--\r\n");

        var email = EmailReader.Read(Encoding.ASCII.GetBytes(message.ToString()));

        // The message itself is the first of the 200 parts.
        Assert.Equal(199, email.Attachments.Count);
        Assert.Equal("198.bin", email.Attachments[^1].FileName);
        Assert.Contains(email.Warnings, w => w.Contains("more than 200 MIME parts", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_AttachedMessages_ShareThePartBudget()
    {
        var inner = "Subject: inner\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n"
            + string.Concat(Enumerable.Range(0, 10).Select(i => $"--q\r\nContent-Type: image/gif\r\n\r\n{i}\r\n"))
            + "--q--\r\n";
        var outer = "Subject: outer\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n"
            + "--p\r\nContent-Type: message/rfc822\r\n\r\n" + inner + "\r\n--p--\r\n";

        var email = EmailReader.Read(Encoding.ASCII.GetBytes(outer), new EmailReaderLimits { MaxParts = 6 });

        // outer message, its one part, then the inner message and three of its parts.
        var embedded = Assert.Single(email.EmbeddedMessages);
        Assert.Equal(3, embedded.Attachments.Count);
        Assert.Contains(embedded.Warnings, w => w.Contains("more than 6 MIME parts", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_MoreHeadersThanMaxHeaders_KeepsTheFirstWithWarning()
    {
        var message = new StringBuilder();
        for (var i = 0; i < 600; i++)
        {
            message.Append($"X-Filler-{i}: {i}\r\n");
        }

        message.Append("Subject: after the limit\r\n\r\nbody\r\n");

        var email = EmailReader.Read(Encoding.ASCII.GetBytes(message.ToString()));

        Assert.Equal(500, email.Headers.Count);
        Assert.Equal("X-Filler-499", email.Headers[^1].Name);
        Assert.Null(email.Subject);
        Assert.Equal("body", email.TextBody);
        Assert.Contains(email.Warnings, w => w.Contains("more than 500 fields", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_HeaderFieldLongerThanCap_IsCutShortWithWarning()
    {
        var longSubject = new string('A', 100_000);
        var message = $"Subject: {longSubject}\r\nFrom: a@example.org\r\n\r\nx";

        var email = EmailReader.Read(Encoding.ASCII.GetBytes(message), new EmailReaderLimits { MaxHeaderFieldBytes = 1000 });

        Assert.Equal(new string('A', 999), email.Subject);
        Assert.Equal("a@example.org", email.From?.Address);
        Assert.Contains(email.Warnings, w => w.Contains("longer than 1000 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_ByteArrayLargerThanMaxBytes_ReadsOnlyThePrefixWithWarning()
    {
        var bytes = EmailSamples.Crlf(EmailSamples.VastaamoExtortion);

        var email = EmailReader.Read(bytes, new EmailReaderLimits { MaxBytes = 200 });

        Assert.Contains(email.Warnings, w => w.Contains("larger than 200 bytes", StringComparison.Ordinal));
        Assert.Equal("ransom_man@mail.example.net", email.ReturnPath);
        Assert.Null(email.Subject);
    }

    [Fact]
    public void Read_StreamLargerThanMaxBytes_ReadsOnlyThePrefixWithWarning()
    {
        using var stream = new MemoryStream(EmailSamples.Crlf(EmailSamples.VastaamoExtortion));

        var email = EmailReader.Read(stream, new EmailReaderLimits { MaxBytes = 200 });

        Assert.Contains(email.Warnings, w => w.Contains("larger than 200 bytes", StringComparison.Ordinal));
        Assert.Null(email.Subject);
    }

    [Fact]
    public void Read_InputOfExactlyMaxBytes_IsReadWholeWithoutWarning()
    {
        var bytes = EmailSamples.Crlf(EmailSamples.VastaamoExtortion);
        using var stream = new MemoryStream(bytes);

        var email = EmailReader.Read(stream, new EmailReaderLimits { MaxBytes = bytes.Length });

        Assert.Contains(EmailSamples.BitcoinAddress, email.TextBody, StringComparison.Ordinal);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void Read_ThousandsOfProblems_ListsAtMostTheWarningCap()
    {
        // Each Received header without a date is a problem of its own.
        var lines = string.Concat(Enumerable.Range(0, 300).Select(i => $"Received: from host{i}.example.org\r\n"));

        var email = EmailReader.Read(Encoding.ASCII.GetBytes(lines + "\r\nx"));

        Assert.Equal(EmailReadContext.MaxWarnings + 1, email.Warnings.Count);
        Assert.Contains("the rest are not listed", email.Warnings[^1], StringComparison.Ordinal);
    }

    private static byte[] NestedMultiparts(int levels)
    {
        var message = new StringBuilder("Subject: deep\r\n");
        for (var level = 0; level < levels; level++)
        {
            message.Append($"Content-Type: multipart/mixed; boundary=\"level{level}\"\r\n\r\n--level{level}\r\n");
        }

        message.Append("Content-Type: text/plain\r\n\r\nSisin teksti.\r\n");
        for (var level = levels - 1; level >= 0; level--)
        {
            message.Append($"--level{level}--\r\n");
        }

        return Encoding.ASCII.GetBytes(message.ToString());
    }
}
