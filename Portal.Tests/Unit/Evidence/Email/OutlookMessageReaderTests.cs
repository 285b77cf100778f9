using System.Buffers.Binary;
using System.Text;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Email;
using Portal.Tests.Support;

namespace Portal.Tests.Unit.Evidence.Email;

/// <summary>Outlook .msg files, read as the internet message they stand for, and refused with a warning when broken.</summary>
public sealed class OutlookMessageReaderTests
{
    /// <summary>The Vastaamo sample with its text in 8bit and long enough that the body lies in regular sectors, not the mini stream.</summary>
    private static readonly string Eml = EmailSamples.VastaamoExtortion.ReplaceLineEndings("\r\n")
        .Replace("Content-Transfer-Encoding: base64", "Content-Transfer-Encoding: 8bit", StringComparison.Ordinal)
        [..(EmailSamples.VastaamoExtortion.ReplaceLineEndings("\r\n").IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)]
        + EmailReader.Read(Encoding.UTF8.GetBytes(EmailSamples.VastaamoExtortion)).TextBody.ReplaceLineEndings("\r\n")
        + "\r\n" + string.Concat(Enumerable.Repeat("Tämä viesti on lähetetty automaattisesti. Älä vastaa siihen.\r\n", 60));

    private static byte[] Msg(string eml) =>
        OutlookMessageBuilder.FromInternetMessage(eml, "Vastaamo: asiakastietosi ovat hallussamme, maksa 24 tunnin sisällä", "ransom_man", "ransom_man@Mail.Example.NET").ToArray();

    [Fact]
    public void MessageFromTheInternet_GivesTheSameHeadersRouteAndIndicatorsAsTheEml()
    {
        // The headers lie in the mini stream, the body in regular sectors.
        var writer = OutlookMessageBuilder.FromInternetMessage(Eml, "s", "n", "a@b.example").ToWriter();
        writer.ToArray();
        Assert.Equal(["__substg1.0_1000001F"], writer.RegularStreamStarts.Keys);

        var fromEml = EmailReader.Read(Encoding.UTF8.GetBytes(Eml));
        var fromMsg = OutlookMessageReader.Read(Msg(Eml));

        Assert.Empty(fromMsg.Warnings);
        Assert.Equal(fromEml.From, fromMsg.From);
        Assert.Equal("ransom_man@mail.example.net", fromMsg.From?.Address);
        Assert.Equal(fromEml.To, fromMsg.To);
        Assert.Equal(fromEml.ReturnPath, fromMsg.ReturnPath);
        Assert.Equal(fromEml.Subject, fromMsg.Subject);
        Assert.Equal(fromEml.Date, fromMsg.Date);
        Assert.Equal(fromEml.MessageId, fromMsg.MessageId);
        Assert.Equal(fromEml.Received, fromMsg.Received);
        Assert.Equal(3, fromMsg.Received.Count);
        Assert.Equal(fromEml.DkimDomains, fromMsg.DkimDomains);
        Assert.Equal(fromEml.AuthenticationResults, fromMsg.AuthenticationResults);
        Assert.Equal("203.0.113.77", fromMsg.OriginatingIp);
        Assert.Equal(fromEml.TextBody, fromMsg.TextBody);

        var indicators = EmailIndicators.Of(fromMsg);
        Assert.Equal(EmailIndicators.Of(fromEml), indicators);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.BitcoinAddress && i.Value == EmailSamples.BitcoinAddress);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.Amount && i.Value == "200" && i.Detail == "EUR");
    }

    [Fact]
    public void MessageWithoutInternetHeaders_IsReadFromWhatOutlookRecorded_AndSaysThereIsNoRoute()
    {
        var sent = new DateTime(2020, 10, 26, 7, 13, 57, DateTimeKind.Utc);
        var msg = new OutlookMessageBuilder()
            .Text(OutlookMessageBuilder.Subject, "Maksa 24 tunnin sisällä\r\nBcc: injected@example.net")
            .Text(OutlookMessageBuilder.SenderName, "Ransom \"Team\"")
            .Text(OutlookMessageBuilder.SenderEmailAddress, "/O=EXCHANGE/OU=FIRST ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=RANSOM")
            .Text(OutlookMessageBuilder.SenderSmtpAddress, "ransom@extortion.example")
            .Text(OutlookMessageBuilder.InternetMessageId, "<local-1@extortion.example>")
            .Time(OutlookMessageBuilder.ClientSubmitTime, sent)
            .AnsiText(OutlookMessageBuilder.Body, $"Maksa 0,5 BTC osoitteeseen {EmailSamples.BitcoinAddress} 48 tunnin sisällä.")
            .Recipient(1, "Matti Meikäläinen", "matti@victim.example")
            .Recipient(2, "Liisa", "liisa@victim.example")
            .Recipient(1, "Not a mailbox", "x@victim.example>, <added@attacker.example")
            .ToArray();

        var email = OutlookMessageReader.Read(msg);

        Assert.Equal(new EmailAddress("Ransom \"Team\"", "ransom@extortion.example"), email.From);
        Assert.Equal("Maksa 24 tunnin sisällä Bcc: injected@example.net", email.Subject);
        Assert.DoesNotContain(email.Headers, h => h.Name == "Bcc");
        Assert.Equal(new DateTimeOffset(sent), email.Date);
        Assert.Equal("local-1@extortion.example", email.MessageId);
        Assert.Equal(["matti@victim.example"], email.To.Select(a => a.Address));
        Assert.Equal("Matti Meikäläinen", email.To[0].DisplayName);
        Assert.Equal(["liisa@victim.example"], email.Cc.Select(a => a.Address));
        Assert.Empty(email.Received);
        Assert.Contains(email.Warnings, w => w.StartsWith("The Outlook message has no internet headers", StringComparison.Ordinal));

        var indicators = EmailIndicators.Of(email);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.BitcoinAddress && i.Value == EmailSamples.BitcoinAddress);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.Amount && i.Value == "0.5" && i.Detail == "BTC");
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.Deadline && i.Value == "48");
    }

    [Fact]
    public void HtmlOnlyBody_IsReducedToText_InItsCodePage()
    {
        var html = Encoding.Latin1.GetBytes($"<html><body><p>Maksu: <b>0,2 BTC</b></p><p>{EmailSamples.BitcoinAddress}</p><p>Ehdi ennen määräaikaa.</p></body></html>");
        var msg = new OutlookMessageBuilder()
            .Text(OutlookMessageBuilder.Subject, "Maksu")
            .Text(OutlookMessageBuilder.SenderSmtpAddress, "ransom@extortion.example")
            .Binary(OutlookMessageBuilder.Html, html)
            .Number(OutlookMessageBuilder.InternetCodepage, 28591)
            .ToArray();

        var email = OutlookMessageReader.Read(msg);

        Assert.Contains(EmailSamples.BitcoinAddress, email.TextBody, StringComparison.Ordinal);
        Assert.Contains("määräaikaa", email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void AttachmentsInside_AreListedLikeAnEmls_NeverOpened_AndTheMessageIsStillRead()
    {
        var pdf = Encoding.ASCII.GetBytes(EmailSamples.PdfContent);
        var big = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();
        var msg = OutlookMessageBuilder.FromInternetMessage(Eml, "Vastaamo", "ransom_man", "ransom_man@mail.example.net")
            .Attachment("notes.pdf", pdf, "application/pdf")
            .Attachment("big.bin", big)
            .ToArray();

        var email = OutlookMessageReader.Read(msg);

        Assert.Equal("ransom_man@mail.example.net", email.From?.Address);
        Assert.Contains(EmailSamples.BitcoinAddress, email.TextBody, StringComparison.Ordinal);
        Assert.Equal(
            [
                new EmailAttachment("notes.pdf", "application/pdf", pdf.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf))),
                new EmailAttachment("big.bin", "application/octet-stream", big.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(big))),
            ],
            email.Attachments);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void RtfOnlyBody_SaysItsTextWasNotRead()
    {
        var msg = new OutlookMessageBuilder()
            .Text(OutlookMessageBuilder.Subject, "Maksu")
            .Binary(OutlookMessageBuilder.RtfCompressed, [1, 2, 3, 4])
            .ToArray();

        Assert.Contains("The text of the Outlook message is RTF only and was not read.", OutlookMessageReader.Read(msg).Warnings);
    }

    public static TheoryData<string, byte[]> Broken()
    {
        var whole = Msg(Eml);
        var data = new TheoryData<string, byte[]>
        {
            { "empty", [] },
            { "signature only", whole[..8] },
            { "header only", whole[..512] },
            { "cut in half", whole[..(whole.Length / 2)] },
            { "cut before the body's last sector", whole[..(whole.Length - 600)] },
            { "not a compound file", Encoding.UTF8.GetBytes(Eml) },
            { "another Office file named .msg", OfficeFile() },
        };

        var writer = OutlookMessageBuilder.FromInternetMessage(Eml, "s", "n", "a@b.example").ToWriter();
        var bytes = writer.ToArray();
        var body = writer.RegularStreamStarts.Single().Value;
        data.Add("a stream's chain loops", Patched(bytes, CompoundFileWriter.FatEntryOffset(body + 3), (uint)body));
        data.Add("a stream's chain points outside the file", Patched(bytes, CompoundFileWriter.FatEntryOffset(body + 1), 0x00FFFFF0));
        data.Add("the directory chain loops", Patched(bytes, CompoundFileWriter.FatEntryOffset(writer.DirectorySector), (uint)writer.DirectorySector));
        data.Add("the first directory sector lies outside the file", Patched(bytes, 0x30, 0x7FFFFFF0));
        data.Add("FAT sector outside the file", Patched(bytes, 0x4C, 0x7FFFFFF0));
        data.Add("a billion FAT sectors", Patched(bytes, 0x2C, 1_000_000_000));
        data.Add("an unknown sector size", Patched(bytes, 0x1E, 20));
        data.Add("the root's child points at itself", Patched(bytes, Offset(writer.DirectorySector) + 76, 0));
        data.Add("the mini stream claims 4 GB", Patched(bytes, Offset(writer.DirectorySector) + 120, 0xFFFFFFF0));
        return data;
    }

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenFile_GivesAWarning_NeverAnException(string what, byte[] file)
    {
        var email = OutlookMessageReader.Read(file);

        Assert.True(email.Warnings is [var warning] && warning.StartsWith(OutlookMessageReader.Unreadable, StringComparison.Ordinal), what + ": " + string.Join(" | ", email.Warnings));
        Assert.Null(email.From);
        Assert.Empty(email.TextBody);
    }

    [Fact]
    public void RandomDamage_NeverThrows()
    {
        var whole = Msg(Eml);
        var random = new XorShift(20201026);
        var (unreadable, read) = (0, 0);
        for (var run = 0; run < 2000; run++)
        {
            var damaged = (byte[])whole.Clone();
            for (var i = 1 + random.Next(7); i > 0; i--)
            {
                // Mostly the header, FAT and directory, where the structure lives.
                var at = random.Next(2) == 0 ? random.Next(Math.Min(damaged.Length, 4 * CompoundFileWriter.SectorSize)) : random.Next(damaged.Length);
                damaged[at] = (byte)random.Next(256);
            }

            var email = OutlookMessageReader.Read(damaged);
            if (email.Warnings is [var first, ..] && first.StartsWith(OutlookMessageReader.Unreadable, StringComparison.Ordinal))
            {
                unreadable++;
            }
            else
            {
                read++;
            }
        }

        // The damage reached the structure often, and left some files readable: both paths ran.
        Assert.True(unreadable > 100 && read > 100, $"{unreadable} unreadable, {read} read");
    }

    [Theory]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(70_000)]
    public void CompoundFile_ReadsStreamsEitherSideOfTheMiniStreamCutoff(int length)
    {
        var data = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        var writer = new CompoundFileWriter();
        writer.Root.Stream("small", [1, 2, 3]).Stream("data", data).Storage("folder").Stream("inner", [9]);

        var file = CompoundFile.Open(writer.ToArray());

        var children = file.Children(file.Root);
        Assert.Equal(["data", "folder", "small"], children.Select(c => c.Name).Order());
        Assert.Equal(data, file.Read(children.Single(c => c.Name == "data"), int.MaxValue));
        Assert.Equal(data[..100], file.Read(children.Single(c => c.Name == "data"), 100));
        Assert.Equal([1, 2, 3], file.Read(children.Single(c => c.Name == "small"), int.MaxValue));
        var inner = Assert.Single(file.Children(children.Single(c => c.Name == "folder")));
        Assert.Equal([9], file.Read(inner, int.MaxValue));
        Assert.Equal(length >= 4096, writer.RegularStreamStarts.ContainsKey("data"));
    }

    private static int Offset(int sector) => (sector + 1) * CompoundFileWriter.SectorSize;

    private static byte[] Patched(byte[] file, int offset, uint value)
    {
        var copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), value);
        return copy;
    }

    private static byte[] OfficeFile()
    {
        var writer = new CompoundFileWriter();
        writer.Root.Stream("WordDocument", new byte[5000]).Stream("\u0001CompObj", new byte[100]);
        return writer.ToArray();
    }
}
