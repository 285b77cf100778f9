using System.Security.Cryptography;
using System.Text;
using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class EmailReaderTests
{
    [Fact]
    public void Read_VastaamoStyleExtortion_DecodesLatin1SubjectAndBase64Utf8Body()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.VastaamoExtortion));

        Assert.Equal("Vastaamo: asiakastietosi ovat hallussamme, maksa 24 tunnin sisällä", email.Subject);
        Assert.Contains("Hyvä Matti Meikäläinen,", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("maksa 24 tunnin kuluessa 200 euroa", email.TextBody, StringComparison.Ordinal);
        Assert.Contains(EmailSamples.BitcoinAddress, email.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', email.TextBody);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void Read_VastaamoStyleExtortion_ReadsSenderRecipientsAndIdentifiers()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.VastaamoExtortion));

        Assert.Equal(new EmailAddress("ransom_man", "ransom_man@mail.example.net"), email.From);
        Assert.Equal([new EmailAddress("Matti Meikäläinen", "matti.meikalainen@example.fi")], email.To);
        Assert.Empty(email.Cc);
        Assert.Empty(email.ReplyTo);
        Assert.Equal("ransom_man@mail.example.net", email.ReturnPath);
        Assert.Equal("20201026071357.GA4242@mail.example.net", email.MessageId);
        Assert.Equal(new DateTimeOffset(2020, 10, 26, 9, 13, 57, TimeSpan.FromHours(2)), email.Date);
        Assert.Equal("203.0.113.77", email.OriginatingIp);
    }

    [Fact]
    public void Read_ThreeHopReceivedChain_OrdersHopsFromOriginWithIpv6()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.VastaamoExtortion));

        Assert.Equal(3, email.Received.Count);
        Assert.Equal([0, 1, 2], email.Received.Select(h => h.Index));

        var origin = email.Received[0];
        Assert.Equal("[10.8.0.2]", origin.FromHost);
        Assert.Equal("203.0.113.77", origin.FromIp);
        Assert.Equal("relay.example.net", origin.ByHost);
        Assert.Equal(new DateTimeOffset(2020, 10, 26, 7, 13, 58, TimeSpan.Zero), origin.Date);

        var relay = email.Received[1];
        Assert.Equal("relay.example.net", relay.FromHost);
        Assert.Equal("2001:db8:85a3::8a2e:370:7334", relay.FromIp);
        Assert.Equal("mx1.example.fi", relay.ByHost);

        var final = email.Received[2];
        Assert.Equal("mx1.example.fi", final.FromHost);
        Assert.Equal("198.51.100.25", final.FromIp);
        Assert.Equal("inbox.example.fi", final.ByHost);
        Assert.Equal(new DateTimeOffset(2020, 10, 26, 9, 14, 3, TimeSpan.FromHours(2)), final.Date);
        Assert.StartsWith("from mx1.example.fi (mx1.example.fi [198.51.100.25])\tby inbox.example.fi", final.Raw, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', final.Raw);
    }

    [Fact]
    public void Read_DkimSignaturesAndAuthenticationResults_AreExtractedUnfolded()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.VastaamoExtortion));

        Assert.Equal(["mail.example.net"], email.DkimDomains);
        var results = Assert.Single(email.AuthenticationResults);
        Assert.Equal("inbox.example.fi;\tdkim=pass header.d=mail.example.net;\tspf=pass smtp.mailfrom=mail.example.net;\tdmarc=none", results);
    }

    [Fact]
    public void Read_TopLevelHeaders_AreListedInFileOrderWithEncodedWordsDecoded()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.VastaamoExtortion));

        Assert.Equal(
            ["Return-Path", "Received", "Received", "Received", "DKIM-Signature", "DKIM-Signature", "Authentication-Results",
             "X-Originating-IP", "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"],
            email.Headers.Select(h => h.Name));
        Assert.Equal("Matti Meikäläinen <matti.meikalainen@example.fi>", email.Headers.Single(h => h.Name == "To").Value);
    }

    [Fact]
    public void Read_LfOnlyLineEndings_ReadsTheSameAsCrlf()
    {
        var crlf = EmailReader.Read(EmailSamples.Crlf(EmailSamples.NestedMixedWithPdf));
        var lf = EmailReader.Read(EmailSamples.Lf(EmailSamples.NestedMixedWithPdf));

        Assert.Equal(crlf.Headers, lf.Headers);
        Assert.Equal(crlf.Subject, lf.Subject);
        Assert.Equal(crlf.TextBody, lf.TextBody);
        Assert.Equal(crlf.Attachments, lf.Attachments);
        Assert.Empty(lf.Warnings);
    }

    [Fact]
    public void Read_HtmlOnlyAlternative_ReturnsHtmlAsTextWithoutMarkupScriptsOrEpilogue()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.HtmlOnlyAlternative));

        Assert.Equal(
            "Hyvä asiakas,\n\nmaksa 0,05 BTC (noin 500 €) osoitteeseen\n\n"
            + "maksa tästä (bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq)\n\n"
            + "Eräpäivä 30.10.2020 klo 12.00\n\nTerveisin, <Tiimi> & kumppanit €",
            email.TextBody);
        Assert.Empty(email.Attachments);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void Read_EncodedWordInsideQuotedDisplayName_IsDecoded()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.HtmlOnlyAlternative));

        Assert.Equal(new EmailAddress("Tietoturva Ylläpito", "noreply@pay.example.com"), email.From);
        Assert.Equal([new EmailAddress(null, "victim@example.fi")], email.To);
    }

    [Fact]
    public void Read_TwoDigitYearWithNamedZone_IsReadAsTwentyFirstCenturyEasternTime()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.HtmlOnlyAlternative));

        Assert.Equal(new DateTimeOffset(2020, 10, 27, 10, 0, 0, TimeSpan.FromHours(-5)), email.Date);
    }

    [Fact]
    public void Read_NestedMixedWithPdf_ListsPdfWithRfc2231NameSizeAndHash()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.NestedMixedWithPdf));

        var pdf = Encoding.ASCII.GetBytes(EmailSamples.PdfContent);
        var attachment = Assert.Single(email.Attachments);
        Assert.Equal("€500 maksuohje.pdf", attachment.FileName);
        Assert.Equal("application/pdf", attachment.MediaType);
        Assert.Equal(pdf.Length, attachment.Size);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(pdf)), attachment.Sha256);
    }

    [Fact]
    public void Read_NestedMixedWithPdf_PrefersPlainTextAndDecodesIso885915QuotedPrintable()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.NestedMixedWithPdf));

        Assert.Equal("Maksa lasku liitteen ohjeiden mukaan viimeistään 30.10.2020: 0,1 BTC (noin 500 €).", email.TextBody);
    }

    [Fact]
    public void Read_RawUtf8QuotedNameWithCommaAndEmptyGroup_YieldsOneRecipient()
    {
        var email = EmailReader.Read(EmailSamples.Crlf(EmailSamples.NestedMixedWithPdf));

        Assert.Equal([new EmailAddress("Meikäläinen, Matti", "matti@example.fi")], email.To);
        Assert.Equal(new DateTimeOffset(2020, 10, 27, 11, 30, 0, TimeSpan.Zero), email.Date);
        Assert.Equal("lasku-123@example.org", email.MessageId);
    }

    [Fact]
    public void Read_Windows1252EightBitBody_DecodesEuroSignAndCurlyQuotes()
    {
        // \u0080, \u0093 and \u0094 become the single bytes 0x80, 0x93, 0x94 through Latin-1.
        var message = "From: Tuki <tuki@example.com>\r\nSubject: Maksu\r\n"
            + "Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + "Maksa 300 \u0080 \u0093heti\u0094 tai tiedostot julkaistaan. K\u00e4yt\u00e4 osoitetta.\r\n";

        var email = EmailReader.Read(Encoding.Latin1.GetBytes(message));

        Assert.Equal("Maksa 300 € “heti” tai tiedostot julkaistaan. Käytä osoitetta.", email.TextBody);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void Read_Iso88591LabelWithWindows1252Bytes_DecodesEuroSign()
    {
        var message = "Subject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n100 \u0080\r\n";

        var email = EmailReader.Read(Encoding.Latin1.GetBytes(message));

        Assert.Equal("100 €", email.TextBody);
    }

    [Fact]
    public void Read_UnknownCharset_FallsBackToUtf8WithWarning()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            Subject: x
            Content-Type: text/plain; charset=x-klingon

            Maksa heti, ystävä.
            """));

        Assert.Equal("Maksa heti, ystävä.", email.TextBody);
        Assert.Contains(email.Warnings, w => w.Contains("x-klingon", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_UnknownCharsetWithInvalidUtf8_FallsBackToLatinWithWarning()
    {
        var message = "Subject: x\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nyst\u00e4v\u00e4\r\n";

        var email = EmailReader.Read(Encoding.Latin1.GetBytes(message));

        Assert.Equal("ystävä", email.TextBody);
        Assert.Contains(email.Warnings, w => w.Contains("charset", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_TruncatedMultipart_ReturnsTextReadSoFarWithWarning()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            From: a@example.org
            Subject: Cut off
            Content-Type: multipart/mixed; boundary="b1"

            --b1
            Content-Type: text/plain

            Maksa 0,2 BTC perjantaihin mennessä.
            --b1
            Content-Type: application/zip; name="todisteet.zip"
            Content-Transfer-Encoding: base64

            UEsDBBQAAAAIAAAAIQ
            """));

        Assert.Equal("Maksa 0,2 BTC perjantaihin mennessä.", email.TextBody);
        var zip = Assert.Single(email.Attachments);
        Assert.Equal("todisteet.zip", zip.FileName);
        Assert.Contains(email.Warnings, w => w.Contains("closing boundary", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_MultipartWithoutBoundaryParameter_ReadsBodyAsTextWithWarning()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            Subject: x
            Content-Type: multipart/mixed

            Maksa nyt.
            """));

        Assert.Equal("Maksa nyt.", email.TextBody);
        Assert.Contains(email.Warnings, w => w.Contains("no boundary", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_MultipartWhoseBoundaryNeverOccurs_ReadsBodyAsTextWithWarning()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            Subject: x
            Content-Type: multipart/mixed; boundary=missing

            Maksa nyt.
            """));

        Assert.Equal("Maksa nyt.", email.TextBody);
        Assert.Contains(email.Warnings, w => w.Contains("never occurs", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_BoundaryThatPrefixesInnerBoundary_DoesNotSplitInnerPart()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            Subject: x
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: multipart/alternative; boundary="b-inner"

            --b-inner
            Content-Type: text/plain

            Sisempi teksti.
            --b-inner--
            --b
            Content-Type: image/gif; name=kuva.gif

            GIF89a
            --b--
            """));

        Assert.Equal("Sisempi teksti.", email.TextBody);
        Assert.Equal("kuva.gif", Assert.Single(email.Attachments).FileName);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void Read_InlineImageInMultipartRelated_CountsAsAttachment()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            Subject: x
            Content-Type: multipart/related; boundary="rel"

            --rel
            Content-Type: text/html; charset=utf-8

            <p>Katso kuva</p><img src="cid:qr@example.org">
            --rel
            Content-Type: image/png
            Content-ID: <qr@example.org>
            Content-Disposition: inline
            Content-Transfer-Encoding: base64

            iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ
            --rel--
            """));

        var image = Assert.Single(email.Attachments);
        Assert.Null(image.FileName);
        Assert.Equal("image/png", image.MediaType);
        Assert.Equal(33, image.Size);
        Assert.Equal("Katso kuva", email.TextBody);
    }

    [Fact]
    public void Read_TextPartWithAttachmentDisposition_IsAnAttachmentNotBody()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            Subject: x
            Content-Type: multipart/mixed; boundary="m"

            --m
            Content-Type: text/plain

            Viesti.
            --m
            Content-Type: text/plain; charset=utf-8
            Content-Disposition: attachment; filename="=?UTF-8?B?b2hqZcOkLnR4dA==?="

            Liitteen sisältö.
            --m--
            """));

        Assert.Equal("Viesti.", email.TextBody);
        var attachment = Assert.Single(email.Attachments);
        Assert.Equal("ohjeä.txt", attachment.FileName);
        Assert.Equal("text/plain", attachment.MediaType);
        Assert.Equal(Encoding.UTF8.GetByteCount("Liitteen sisältö."), attachment.Size);
    }

    [Fact]
    public void Read_BlankPlainPartBesideHtml_UsesTheHtml()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            Subject: x
            Content-Type: multipart/alternative; boundary="a"

            --a
            Content-Type: text/plain

            --a
            Content-Type: text/html

            <p>Maksa <b>1000 &euro;</b></p>
            --a--
            """));

        Assert.Equal("Maksa 1000 €", email.TextBody);
    }

    [Fact]
    public void Read_AttachedMessage_IsListedAsAttachmentAndReadAsEmbeddedMessage()
    {
        var inner = EmailSamples.VastaamoExtortion.ReplaceLineEndings("\n");
        var outer = $"""
            From: Matti <matti.meikalainen@example.fi>
            To: rikosilmoitus@poliisi.example
            Subject: Fwd: kiristysviesti
            Content-Type: multipart/mixed; boundary="fwd"

            --fwd
            Content-Type: text/plain

            Liitteenä saamani viesti.
            --fwd
            Content-Type: message/rfc822
            Content-Disposition: attachment; filename="kiristys.eml"

            {inner}
            --fwd--
            """;

        var email = EmailReader.Read(EmailSamples.Lf(outer));

        Assert.Equal("Liitteenä saamani viesti.", email.TextBody);
        var attachment = Assert.Single(email.Attachments);
        Assert.Equal("message/rfc822", attachment.MediaType);
        Assert.Equal("kiristys.eml", attachment.FileName);
        Assert.Equal(Encoding.UTF8.GetByteCount(inner), attachment.Size);
        var embedded = Assert.Single(email.EmbeddedMessages);
        Assert.Equal("ransom_man@mail.example.net", embedded.From?.Address);
        Assert.Contains(EmailSamples.BitcoinAddress, embedded.TextBody, StringComparison.Ordinal);
        Assert.Equal(3, embedded.Received.Count);
        Assert.DoesNotContain(EmailSamples.BitcoinAddress, email.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MboxFromLineAndByteOrderMark_AreSkipped()
    {
        var bytes = EmailSamples.Crlf("""
            From ransom_man@mail.example.net Mon Oct 26 07:13:57 2020
            From: ransom_man@mail.example.net
            Subject: Maksa

            Teksti.
            """);

        var email = EmailReader.Read([0xEF, 0xBB, 0xBF, .. bytes]);

        Assert.Equal(["From", "Subject"], email.Headers.Select(h => h.Name));
        Assert.Equal("ransom_man@mail.example.net", email.From?.Address);
        Assert.Empty(email.Warnings);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    [InlineData("\uFEFF\r\n\r\n")]
    public void Read_BlankLinesBeforeTheHeaders_AreSkipped(string lead)
    {
        // Editors and some mail apps' "save as" write these before a real message; a blank first line used to end the headers at once.
        var bytes = EmailSamples.Crlf("""
            From: ransom_man@mail.example.net
            Subject: Maksa

            Teksti.
            """);

        var email = EmailReader.Read([.. Encoding.UTF8.GetBytes(lead), .. bytes]);

        Assert.Equal(["From", "Subject"], email.Headers.Select(h => h.Name));
        Assert.Equal("Maksa", email.Subject);
        Assert.Equal("Teksti.", email.TextBody);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void Read_HeadersOnlyWithoutFinalNewline_ReturnsHeadersAndEmptyBody()
    {
        var email = EmailReader.Read(Encoding.ASCII.GetBytes("From: a@example.org\r\nSubject: Vain otsikot"));

        Assert.Equal("Vain otsikot", email.Subject);
        Assert.Equal("", email.TextBody);
        Assert.Empty(email.Warnings);
    }

    [Fact]
    public void Read_NulBytesInHeaders_AreRemovedWithWarning()
    {
        var email = EmailReader.Read(Encoding.ASCII.GetBytes("Subject: Mak\0sa\r\nFrom: a@exa\0mple.org\r\n\r\nx"));

        Assert.Equal("Maksa", email.Subject);
        Assert.Equal("a@example.org", email.From?.Address);
        Assert.Contains(email.Warnings, w => w.Contains("NUL", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_HeaderLineWithoutColon_IsSkippedWithWarning()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            From: a@example.org
            this line is not a header
            Subject: Maksa

            x
            """));

        Assert.Equal(["From", "Subject"], email.Headers.Select(h => h.Name));
        Assert.Contains(email.Warnings, w => w.Contains("without a field name", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_DuplicateFromHeaders_KeepsFirstWithWarning()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            From: Pankki <asiakaspalvelu@bank.example>
            From: ransom_man@mail.example.net
            Subject: x

            x
            """));

        Assert.Equal("asiakaspalvelu@bank.example", email.From?.Address);
        Assert.Contains(email.Warnings, w => w.Contains("more than one From", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_UnparseableDate_ReturnsNullDateWithWarning()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            Date: ensi perjantaina
            Subject: x

            x
            """));

        Assert.Null(email.Date);
        Assert.Contains(email.Warnings, w => w.Contains("Date header", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_BadAddressInList_IsSkippedWithWarning()
    {
        var email = EmailReader.Read(EmailSamples.Crlf("""
            To: ok@example.org, not an address, "Toinen" <toinen@example.org>
            Subject: x

            x
            """));

        Assert.Equal(["ok@example.org", "toinen@example.org"], email.To.Select(a => a.Address));
        Assert.Contains(email.Warnings, w => w.Contains("To header", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_EmptyInput_ReturnsEmptyResultWithWarning()
    {
        var email = EmailReader.Read([]);

        Assert.Empty(email.Headers);
        Assert.Null(email.From);
        Assert.Equal("", email.TextBody);
        Assert.Contains(email.Warnings, w => w.Contains("empty", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_GarbageBytes_ReturnsWithoutThrowingAndWarnsNoHeaders()
    {
        var garbage = new byte[4096];
        var state = 0x2545F491u;
        for (var i = 0; i < garbage.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            garbage[i] = (byte)(state % 256 is 10 or 58 ? 0 : state);
        }

        var email = EmailReader.Read(garbage);

        Assert.Empty(email.Headers);
        Assert.Contains(email.Warnings, w => w.Contains("No header fields", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_StreamAndByteArray_GiveTheSameResult()
    {
        var bytes = EmailSamples.Crlf(EmailSamples.NestedMixedWithPdf);
        using var stream = new MemoryStream(bytes);

        var fromStream = EmailReader.Read(stream);
        var fromBytes = EmailReader.Read(bytes);

        Assert.Equal(fromBytes.Headers, fromStream.Headers);
        Assert.Equal(fromBytes.TextBody, fromStream.TextBody);
        Assert.Equal(fromBytes.Attachments, fromStream.Attachments);
    }
}
