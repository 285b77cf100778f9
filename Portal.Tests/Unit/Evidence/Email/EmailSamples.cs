using System.Text;

namespace Portal.Tests.Unit.Evidence.Email;

/// <summary>
/// Hand-written messages in the shapes victims upload. Addresses, hosts and IPs are from the
/// documentation ranges (RFC 2606, 5737, 3849); the bitcoin addresses are widely used examples.
/// </summary>
internal static class EmailSamples
{
    public const string BitcoinAddress = "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh";

    public const string PdfContent = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

    /// <summary>In the style of the 2020 Vastaamo extortion: Latin-1 Q-encoded subject, base64 UTF-8 body, three hops.</summary>
    public const string VastaamoExtortion = """
        Return-Path: <ransom_man@mail.example.net>
        Received: from mx1.example.fi (mx1.example.fi [198.51.100.25])
        	by inbox.example.fi (Postfix) with ESMTPS id 4C3K9x1Z2Fz9v
        	for <matti.meikalainen@example.fi>; Mon, 26 Oct 2020 09:14:03 +0200 (EET)
        Received: from relay.example.net (relay.example.net [IPv6:2001:db8:85a3::8a2e:370:7334])
        	by mx1.example.fi with ESMTP id 09Q7E1Jx012345
        	for <matti.meikalainen@example.fi>; Mon, 26 Oct 2020 07:14:01 +0000
        Received: from [10.8.0.2] (unknown [203.0.113.77])
        	by relay.example.net (Postfix) with ESMTPSA id 3F2A1C0
        	for <matti.meikalainen@example.fi>; Mon, 26 Oct 2020 07:13:58 +0000 (UTC)
        DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=Mail.Example.NET;
        	s=selector1; h=from:to:subject:date;
        	bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=dGVzdHNpZ25hdHVyZQ==
        DKIM-Signature: v=1; a=rsa-sha256; d=mail.example.net; s=selector2;
        	bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=c2Vjb25kc2lnbmF0dXJl
        Authentication-Results: inbox.example.fi;
        	dkim=pass header.d=mail.example.net;
        	spf=pass smtp.mailfrom=mail.example.net;
        	dmarc=none
        X-Originating-IP: [203.0.113.77]
        From: ransom_man <ransom_man@Mail.Example.NET>
        To: =?ISO-8859-1?Q?Matti_Meik=E4l=E4inen?= <matti.meikalainen@example.fi>
        Subject: =?ISO-8859-1?Q?Vastaamo:_asiakastietosi_ovat_hallussamme,_maksa_24_tu?=
         =?ISO-8859-1?Q?nnin_sis=E4ll=E4?=
        Date: Mon, 26 Oct 2020 09:13:57 +0200
        Message-ID: <20201026071357.GA4242@mail.example.net>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=UTF-8
        Content-Transfer-Encoding: base64

        SHl2w6QgTWF0dGkgTWVpa8OkbMOkaW5lbiwNCg0Kb2xpdCBQc3lrb3RlcmFwaWFrZXNrdXMgVmFz
        dGFhbW9uIGFzaWFrYXMuIFNhaW1tZSBoYWx0dXVtbWUgYXNpYWthc3RpZXRvc2ksDQptdWthYW4g
        bHVraWVuIHRlcmFwaWFrw6R5bnRpZXNpIG11aXN0aWlucGFub3QuDQoNCkpvcyBoYWx1YXQsIGV0
        dGVpIHRpZXRvamFzaSBqdWxrYWlzdGEsIG1ha3NhIDI0IHR1bm5pbiBrdWx1ZXNzYSAyMDAgZXVy
        b2ENCmJpdGNvaW5laW5hIHTDpGjDpG4gb3NvaXR0ZWVzZWVuOg0KDQpiYzFxeHkya2dkeWdqcnNx
        dHpxMm4weXJmMjQ5M3A4M2trZmpoeDB3bGgNCg0KSm9zIG1ha3N1IGVpIG9sZSBzYWFwdW51dCAy
        NCB0dW5uaW4ga3VsdWVzc2EsIHN1bW1hIG5vdXNlZSA1MDAgZXVyb29uLg0KNDggdHVubmluIGrD
        pGxrZWVuIHRpZXRvc2kganVsa2Fpc3RhYW4uDQo=
        """;

    /// <summary>multipart/alternative with only an HTML part, quoted-printable, a two-digit year and a named zone.</summary>
    public const string HtmlOnlyAlternative = """
        From: "Tietoturva =?UTF-8?Q?Yll=C3=A4pito?=" <noreply@pay.example.com>
        To: victim@example.fi
        Subject: Maksumuistutus
        Date: Tue, 27 Oct 20 10:00:00 EST
        MIME-Version: 1.0
        Content-Type: multipart/alternative; boundary="alt-7f3a"

        This is a multi-part message in MIME format.
        --alt-7f3a
        Content-Type: text/html; charset="utf-8"
        Content-Transfer-Encoding: quoted-printable

        <html><head><title>Maksumuistutus</title><style>p { color: red; }</style>
        <script>alert("x")</script></head>
        <body><p>Hyv=C3=A4 asiakas,</p><p>maksa <b>0,05&nbsp;BTC</b> (noin 500&nbsp;&euro;)=
         osoitteeseen</p>
        <div><a href=3D"bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq">maksa t=C3=A4st=C3=A4</a></div>
        <!-- tracking pixel --><table><tr><td>Er=C3=A4p=C3=A4iv=C3=A4</td><td>30.10.2020 klo 12.00</td></tr></table>
        <p>Terveisin&#44; &lt;Tiimi&gt; &amp; kumppanit &#x20AC;</p></body></html>
        --alt-7f3a--

        Epilogue text that must not appear.
        """;

    /// <summary>multipart/mixed holding multipart/alternative and a PDF named with RFC 2231 encoding.</summary>
    public const string NestedMixedWithPdf = """
        From: Hakkeri <h4x@example.org>
        To: "Meikäläinen, Matti" <matti@example.fi>, undisclosed-recipients:;
        Subject: Lasku
        Date: 27 Oct 2020 11:30 +0000
        Message-ID: <lasku-123@example.org>
        MIME-Version: 1.0
        Content-Type: multipart/mixed;
         boundary="==outer=="

        --==outer==
        Content-Type: multipart/alternative; boundary="==inner=="

        --==inner==
        Content-Type: text/plain; charset=ISO-8859-15
        Content-Transfer-Encoding: quoted-printable

        Maksa lasku liitteen ohjeiden mukaan viimeist=E4=E4n 30.10.2020: 0,1 BTC=
         (noin 500 =A4).
        --==inner==
        Content-Type: text/html; charset=utf-8

        <p>HTML version</p>
        --==inner==--
        --==outer==
        Content-Type: application/pdf; name="ohje.pdf"
        Content-Disposition: attachment; filename*=UTF-8''%E2%82%AC500%20maksuohje.pdf
        Content-Transfer-Encoding: base64

        JVBERi0xLjQKMSAwIG9iaiA8PCAvVHlwZSAvQ2F0YWxvZyA+PiBlbmRvYmoKdHJhaWxlciA8PCAv
        Um9vdCAxIDAgUiA+PgolJUVPRgo=
        --==outer==--
        """;

    /// <summary>The sample as bytes with CRLF line endings, as mail travels.</summary>
    public static byte[] Crlf(string message) => Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\r\n"));

    /// <summary>The sample as bytes with bare LF line endings, as some mail clients save .eml files.</summary>
    public static byte[] Lf(string message) => Encoding.UTF8.GetBytes(message.ReplaceLineEndings("\n"));
}
