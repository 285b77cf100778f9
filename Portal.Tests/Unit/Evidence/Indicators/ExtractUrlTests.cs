using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Data;

namespace Portal.Tests.Unit.Evidence.Indicators;

public sealed class ExtractUrlTests
{
    private const string OnionV3 = "vastaamo2xbsmswpkzwk3buqmu4drpfmyjbdd6fqtfvwhx7gs2r3hfqd.onion";

    [Theory]
    [InlineData("See https://Leak.Example.COM/Files?Id=AbC.", "https://leak.example.com/Files?Id=AbC")]
    [InlineData("(see https://leak.example.com/list)", "https://leak.example.com/list")]
    [InlineData("Link: https://leak.example.com/wiki/Foo_(bar), ok", "https://leak.example.com/wiki/Foo_(bar)")]
    [InlineData("\"https://leak.example.com/a\"", "https://leak.example.com/a")]
    [InlineData("“https://leak.example.com/a”", "https://leak.example.com/a")]
    [InlineData("https://leak.example.com/a!?;:", "https://leak.example.com/a")]
    [InlineData("https://leak.example.com/a#section", "https://leak.example.com/a")]
    [InlineData("HTTP://leak.example.com:8080/a", "http://leak.example.com:8080/a")]
    [InlineData("https://leak.example.com", "https://leak.example.com")]
    [InlineData("<a href=\"https://leak.example.com/x\">", "https://leak.example.com/x")]
    [InlineData("http://198.51.100.7/drop", "http://198.51.100.7/drop")]
    public void Extract_HttpUrl_IsNormalizedWithoutTrailingPunctuationOrFragment(string text, string expected)
    {
        Assert.Equal([expected], Extracted.Values(IndicatorKind.Url, text));
    }

    [Theory]
    [InlineData("Visit www.Leak-Example.com/list.", "http://www.leak-example.com/list", "leak-example.com")]
    [InlineData("Käy sivulla WWW.LEAK.FI!", "http://www.leak.fi", "leak.fi")]
    public void Extract_BareWwwHost_IsUrlWithHttpAndDomainWithoutWww(string text, string expectedUrl, string expectedDomain)
    {
        Assert.Equal([expectedUrl], Extracted.Values(IndicatorKind.Url, text));
        Assert.Equal([expectedDomain], Extracted.Values(IndicatorKind.Domain, text));
    }

    [Theory]
    [InlineData("Tor: " + OnionV3 + "/vastaamo", "http://" + OnionV3 + "/vastaamo")]
    [InlineData("http://" + OnionV3 + "/", "http://" + OnionV3 + "/")]
    [InlineData("Avaa Tor-selaimella expyuzz4wqqyqhjn.onion.", "http://expyuzz4wqqyqhjn.onion")]
    [InlineData("httpsabcdefghijk.onion/x", "http://httpsabcdefghijk.onion/x")]
    public void Extract_OnionHost_IsUrlAndDomain(string text, string expectedUrl)
    {
        Assert.Equal([expectedUrl], Extracted.Values(IndicatorKind.Url, text));
        Assert.Equal([new Uri(expectedUrl).Host], Extracted.Values(IndicatorKind.Domain, text));
    }

    [Fact]
    public void Extract_UrlWithUserInformation_UsesTheRealHost()
    {
        var text = "https://bank.fi@evil.example.com/login";

        Assert.Equal(["https://evil.example.com/login"], Extracted.Values(IndicatorKind.Url, text));
        Assert.Equal(["evil.example.com"], Extracted.Values(IndicatorKind.Domain, text));
    }

    [Fact]
    public void Extract_UrlAndEmailOnSameDomain_YieldOneDomainInOrder()
    {
        var indicators = IndicatorExtractor.Extract("Mail ransom@leak.fi or open https://www.leak.fi/pay");

        Assert.Equal(
            [
                new Indicator(IndicatorKind.EmailAddress, "ransom@leak.fi", null),
                new Indicator(IndicatorKind.Domain, "leak.fi", null),
                new Indicator(IndicatorKind.Url, "https://www.leak.fi/pay", null),
            ],
            indicators);
    }

    [Theory]
    [InlineData("https://")]
    [InlineData("https://localhost/admin")]
    [InlineData("https://leak.example.c0m/")]
    [InlineData("https://leak.example.com:port/")]
    [InlineData("ftp://leak.example.com/")]
    [InlineData("awww.leak.fi")]
    [InlineData("report.pdf and notes.txt and version 1.2.3")]
    [InlineData("abcdefghijklmnopq.onion")]
    public void Extract_TextThatIsNoLink_FindsNoUrlOrDomain(string text)
    {
        Assert.Empty(Extracted.Of(IndicatorKind.Url, text));
        Assert.Empty(Extracted.Of(IndicatorKind.Domain, text));
    }

    [Fact]
    public void Extract_UrlLongerThanLimit_KeepsOnlyTheDomain()
    {
        var text = "https://leak.example.com/" + new string('a', 5000);

        Assert.Empty(Extracted.Of(IndicatorKind.Url, text));
        Assert.Equal(["leak.example.com"], Extracted.Values(IndicatorKind.Domain, text));
    }
}
