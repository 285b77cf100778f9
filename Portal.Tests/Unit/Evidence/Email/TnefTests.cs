using System.Security.Cryptography;
using System.Text;
using Portal.Core.Data;
using Portal.Core.Features.Evidence;
using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

/// <summary>Outlook's winmail.dat attachments, opened with MimeKit's TNEF reader inside the portal's own email reader.</summary>
public sealed class TnefTests
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes(EmailSamples.PdfContent);

    private static ParsedEmail Read(string eml, EmailReaderLimits? limits = null) => EmailReader.Read(Encoding.UTF8.GetBytes(eml), limits);

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    [Fact]
    public void WinmailDat_ItsFilesAreListedAsUnpackedFromIt_BesideTheContainerItself()
    {
        var tnef = new TnefBuilder().Body("See the invoice.").File("invoice-october.pdf", Pdf).File("notes.txt", "pay soon"u8.ToArray()).ToArray();

        var email = Read(TnefBuilder.Email(tnef, "See the invoice."));

        var container = Assert.Single(email.Attachments, a => a.UnpackedFrom is null);
        Assert.Equal(("winmail.dat", "application/ms-tnef", tnef.LongLength, Sha256(tnef)), (container.FileName, container.MediaType, container.Size, container.Sha256));
        var pdf = Assert.Single(email.Attachments, a => a.FileName == "invoice-october.pdf");
        Assert.Equal(("winmail.dat", Pdf.LongLength, Sha256(Pdf)), (pdf.UnpackedFrom, pdf.Size, pdf.Sha256));
        Assert.Single(email.Attachments, a => a.FileName == "notes.txt" && a.UnpackedFrom == "winmail.dat" && a.Size == 8);
        Assert.Equal(3, email.Attachments.Count);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void WinmailDat_ItsTextJoinsTheMessage_SoItsIndicatorsAreFound_AndALinkHiddenInItsHtmlIsKept()
    {
        var tnef = new TnefBuilder()
            .Body($"Pay 0.05 BTC to {EmailSamples.BitcoinAddress} within 48 hours.")
            .Bodies(html: "<p>Or pay <a href=\"https://pay.example.net/vastaamo\">here</a></p>")
            .ToArray();

        var email = Read(TnefBuilder.Email(tnef));

        Assert.Contains(EmailSamples.BitcoinAddress, email.TextBody, StringComparison.Ordinal);
        Assert.Contains(EmailIndicators.Of(email), i => i.Kind == IndicatorKind.BitcoinAddress && i.Value == EmailSamples.BitcoinAddress);
    }

    [Fact]
    public void WinmailDat_WithOnlyAnHtmlBody_GivesTheTextWhenTheMessagesOwnTextIsBlank()
    {
        var tnef = new TnefBuilder().Bodies(html: "<p>Maksa <a href=\"https://pay.example.net/x\">tästä</a> 200 €</p>").ToArray();

        var email = Read(TnefBuilder.Email(tnef, plainText: " "));

        Assert.Contains("Maksa", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://pay.example.net/x", email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSameTextInTheMessageAndInWinmailDat_IsKeptOnce()
    {
        const string text = "Maksa 200 euroa bitcoineina.";
        var email = Read(TnefBuilder.Email(new TnefBuilder().Body(text).ToArray(), text));

        Assert.Equal(text, email.TextBody);
    }

    [Fact]
    public void WinmailDatLabelledAsOctetStream_IsRecognisedByItsSignature()
    {
        var tnef = new TnefBuilder().File("invoice.pdf", Pdf).ToArray();

        var email = Read(TnefBuilder.Email(tnef, mediaType: "application/octet-stream"));

        Assert.Single(email.Attachments, a => a.FileName == "invoice.pdf" && a.UnpackedFrom == "winmail.dat" && a.Sha256 == Sha256(Pdf));
    }

    [Fact]
    public void AnOutlookMessageAttachedInsideWinmailDat_IsReadAsAnEmbeddedMessage_SayingItsHeadersWereLost()
    {
        var original = new TnefBuilder(subject: null, messageAttributes: false)
            .MessageProperties("Asiakastietosi", "ransom_man@mail.example.net", $"Maksa {EmailSamples.BitcoinAddress}", "<20201026071357.GA4242@mail.example.net>")
            .ToArray();
        var tnef = new TnefBuilder().Body("Forwarding the email I got.").AttachedMessage("Asiakastietosi", original).ToArray();

        var email = Read(TnefBuilder.Email(tnef, "Forwarding the email I got."));

        var embedded = Assert.Single(email.EmbeddedMessages);
        Assert.Equal("ransom_man@mail.example.net", embedded.From?.Address);
        Assert.Equal("Asiakastietosi", embedded.Subject);
        Assert.Equal("20201026071357.GA4242@mail.example.net", embedded.MessageId);
        Assert.Contains(EmailSamples.BitcoinAddress, embedded.TextBody, StringComparison.Ordinal);
        Assert.Contains(embedded.Warnings, w => w.Contains("TNEF", StringComparison.Ordinal) && w.Contains("Received", StringComparison.Ordinal));
        Assert.Single(email.Attachments, a => a.UnpackedFrom == "winmail.dat" && a.MediaType == "application/ms-tnef");

        // The outer message is the victim's forward: the extortionist's text is not mixed into it.
        Assert.DoesNotContain(EmailSamples.BitcoinAddress, email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void WinmailDatWithItsTextInRtfOnly_ListsTheRtf_AndSaysItsTextWasNotRead()
    {
        var tnef = new TnefBuilder().Bodies(rtf: @"{\rtf1\ansi Pay {\b now}}").ToArray();

        var email = Read(TnefBuilder.Email(tnef));

        var rtf = Assert.Single(email.Attachments, a => a.MediaType == "text/rtf");
        Assert.Equal(("body.rtf", "winmail.dat"), (rtf.FileName, rtf.UnpackedFrom));
        Assert.Contains(email.Warnings, w => w.Contains("RTF only", StringComparison.Ordinal));
    }

    [Fact]
    public void WinmailDatOverTheLimit_IsListedButNotOpened_WithAWarning()
    {
        var tnef = new TnefBuilder().File("large.bin", new byte[4096]).ToArray();

        var email = Read(TnefBuilder.Email(tnef), new EmailReaderLimits { MaxTnefBytes = 1024 });

        Assert.Equal("winmail.dat", Assert.Single(email.Attachments).FileName);
        Assert.Contains(email.Warnings, w => w.Contains("larger than 1024 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public void WinmailDatWithMoreFilesThanThePartBudget_StopsAtTheBudget_WithAWarning()
    {
        var builder = new TnefBuilder();
        for (var i = 0; i < 20; i++)
        {
            builder.File($"file{i}.txt", [(byte)i]);
        }

        var email = Read(TnefBuilder.Email(builder.ToArray()), new EmailReaderLimits { MaxParts = 10 });

        Assert.True(email.Attachments.Count < 10);
        Assert.Contains(email.Warnings, w => w.Contains("more than 10 MIME parts", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not TNEF at all, just text labelled as winmail.dat")]
    [InlineData("eJ8+IgEAAQaQCAAEAAAAAAABAAEAAQeQBg==")]
    [InlineData("eJ8+IgEAAf////9/////fwAA")]
    public void BrokenWinmailDat_NeverThrows_StillListsTheContainer_AndReadsTheRestOfTheMessage(string content)
    {
        var bytes = content.StartsWith("eJ8+", StringComparison.Ordinal) ? Convert.FromBase64String(content) : Encoding.ASCII.GetBytes(content);

        var email = Read(TnefBuilder.Email(bytes, $"Pay {EmailSamples.BitcoinAddress}"));

        Assert.Equal("FW: Payment", email.Subject);
        Assert.Contains(EmailSamples.BitcoinAddress, email.TextBody, StringComparison.Ordinal);
        var container = Assert.Single(email.Attachments, a => a.UnpackedFrom is null);
        Assert.Equal(Sha256(bytes), container.Sha256);
        Assert.DoesNotContain(email.Attachments, a => a.UnpackedFrom is not null && a.Size > 0);
    }

    [Fact]
    public void EvidenceSummary_KeepsWhereAFileWasUnpackedFrom()
    {
        var email = Read(TnefBuilder.Email(new TnefBuilder().File("invoice.pdf", Pdf).ToArray()));

        var summary = EmailSummary.Of(email);
        var json = System.Text.Json.JsonSerializer.Serialize(summary, EmailSummary.Json);
        var back = System.Text.Json.JsonSerializer.Deserialize<EmailSummary>(json, EmailSummary.Json);

        Assert.NotNull(back);
        Assert.Equal("winmail.dat", Assert.Single(back.Attachments, a => a.FileName == "invoice.pdf").UnpackedFrom);
    }
}
