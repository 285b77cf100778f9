using Portal.Core.Features.Evidence.Email;

namespace Portal.Tests.Unit.Evidence.Email;

public sealed class ReceivedParserTests
{
    private readonly EmailReadContext context = new(new EmailReaderLimits());

    [Theory]
    [InlineData(
        "from mail-sor-f41.example.com (mail-sor-f41.example.com. [198.51.100.41]) by mx.example.fi with SMTPS id x; Mon, 26 Oct 2020 07:14:01 -0700 (PDT)",
        "mail-sor-f41.example.com", "198.51.100.41", "mx.example.fi")]
    [InlineData(
        "from relay.example.net (relay.example.net [IPv6:2001:db8::1]) by mx1.example.fi with ESMTP; Mon, 26 Oct 2020 07:14:01 +0000",
        "relay.example.net", "2001:db8::1", "mx1.example.fi")]
    [InlineData(
        "from [192.0.2.9] (helo=fake.example.org) by smtp.example.fi with esmtpa (Exim 4.94); Mon, 26 Oct 2020 07:14:01 +0000",
        "[192.0.2.9]", "192.0.2.9", "smtp.example.fi")]
    [InlineData(
        "from EXCH01.corp.example (10.0.0.1) by EXCH02.corp.example (10.0.0.2) with Microsoft SMTP Server id 15.1; Mon, 26 Oct 2020 07:14:01 +0000",
        "EXCH01.corp.example", "10.0.0.1", "EXCH02.corp.example")]
    [InlineData(
        "from unknown (HELO 192.0.2.200) (203.0.113.5) by mail.example.fi with SMTP; 26 Oct 2020 07:14:01 -0000",
        "unknown", "203.0.113.5", "mail.example.fi")]
    [InlineData(
        "from [IPv6:2001:db8::77] by mail.example.fi; 26 Oct 2020 07:14:01 +0000",
        "[IPv6:2001:db8::77]", "2001:db8::77", "mail.example.fi")]
    public void Parse_CommonMtaFormats_ReadHostIpAndReceiver(string raw, string fromHost, string fromIp, string byHost)
    {
        var hop = ReceivedParser.Parse(0, raw, context);

        Assert.Equal(fromHost, hop.FromHost);
        Assert.Equal(fromIp, hop.FromIp);
        Assert.Equal(byHost, hop.ByHost);
        Assert.NotNull(hop.Date);
        Assert.Equal(raw, hop.Raw);
    }

    [Fact]
    public void Parse_LocalHopWithoutFrom_HasOnlyReceiverAndDate()
    {
        var hop = ReceivedParser.Parse(2, "by 2002:a05:6a10:8e0e:0:0:0:0 with SMTP id q14csp123; Mon, 26 Oct 2020 00:14:03 -0700 (PDT)", context);

        Assert.Null(hop.FromHost);
        Assert.Null(hop.FromIp);
        Assert.Equal("2002:a05:6a10:8e0e:0:0:0:0", hop.ByHost);
        Assert.Equal(new DateTimeOffset(2020, 10, 26, 0, 14, 3, TimeSpan.FromHours(-7)), hop.Date);
        Assert.Equal(2, hop.Index);
    }

    [Fact]
    public void Parse_DateAfterLastSemicolon_IsUsedEvenWithSemicolonsInComments()
    {
        var hop = ReceivedParser.Parse(0, "from a.example (a.example [192.0.2.1]; helo) by b.example; Tue, 27 Oct 2020 10:00:00 +0200", context);

        Assert.Equal("192.0.2.1", hop.FromIp);
        Assert.Equal(new DateTimeOffset(2020, 10, 27, 10, 0, 0, TimeSpan.FromHours(2)), hop.Date);
    }

    [Fact]
    public void Parse_MissingDate_ReturnsHopWithNullDateAndWarning()
    {
        var hop = ReceivedParser.Parse(4, "from a.example (a.example [192.0.2.1]) by b.example", context);

        Assert.Equal("a.example", hop.FromHost);
        Assert.Null(hop.Date);
        Assert.Contains(context.Warnings, w => w.Contains("Received hop 4", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("1")]
    [InlineData("12345")]
    [InlineData("mail.example.org")]
    [InlineData("999.1.1.1")]
    public void AsIp_NumbersAndNamesThatAreNotWrittenAddresses_AreRejected(string text)
    {
        Assert.Null(ReceivedParser.AsIp(text));
    }
}
