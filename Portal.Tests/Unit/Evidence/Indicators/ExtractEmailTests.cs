using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Data;

namespace Portal.Tests.Unit.Evidence.Indicators;

public sealed class ExtractEmailTests
{
    [Theory]
    [InlineData("Contact ransom_team@protonmail.com now", "ransom_team@protonmail.com")]
    [InlineData("Write to Ransom.Team+fi@ProtonMail.COM.", "ransom.team+fi@protonmail.com")]
    [InlineData("(ransom@cock.li)", "ransom@cock.li")]
    [InlineData("<ransom@mail.example.co.uk>;", "ransom@mail.example.co.uk")]
    [InlineData("sähköposti: ransom@tutanota.com, heti!", "ransom@tutanota.com")]
    [InlineData("...ransom@tutanota.com...", "ransom@tutanota.com")]
    [InlineData("mailto:ransom@tutanota.com?subject=pay", "ransom@tutanota.com")]
    [InlineData("\"ransom@tutanota.com\"", "ransom@tutanota.com")]
    public void Extract_PlainAddress_IsFoundLowerCasedWithoutPunctuation(string text, string expected)
    {
        Assert.Equal([expected], Extracted.Values(IndicatorKind.EmailAddress, text));
    }

    [Theory]
    [InlineData("ransom (at) protonmail (dot) com", "ransom@protonmail.com")]
    [InlineData("ransom[at]protonmail.com", "ransom@protonmail.com")]
    [InlineData("ransom [at] protonmail [dot] com", "ransom@protonmail.com")]
    [InlineData("Ransom(AT)Protonmail(DOT)com.", "ransom@protonmail.com")]
    [InlineData("ransom {at} mail.protonmail {dot} com", "ransom@mail.protonmail.com")]
    [InlineData("ransom (at) protonmail (piste) com", "ransom@protonmail.com")]
    public void Extract_ObfuscatedAddress_IsFoundAsPlainAddress(string text, string expected)
    {
        Assert.Equal([expected], Extracted.Values(IndicatorKind.EmailAddress, text));
    }

    [Theory]
    [InlineData("ransom@localhost")]
    [InlineData("@protonmail.com")]
    [InlineData("ransom@")]
    [InlineData("ransom@protonmail.")]
    [InlineData("ransom@-protonmail.com")]
    [InlineData("ransom@protonmail.c")]
    [InlineData("ransom at protonmail dot com")]
    [InlineData("price: 5@10.00")]
    public void Extract_TextThatIsNoAddress_FindsNoEmail(string text)
    {
        Assert.Empty(Extracted.Of(IndicatorKind.EmailAddress, text));
    }

    [Fact]
    public void Extract_Address_AlsoYieldsItsDomainWithoutDetail()
    {
        var indicators = IndicatorExtractor.Extract("ransom@www.Protonmail.com");

        Assert.Equal(
            [
                new Indicator(IndicatorKind.EmailAddress, "ransom@www.protonmail.com", null),
                new Indicator(IndicatorKind.Domain, "protonmail.com", null),
            ],
            indicators);
    }

    [Fact]
    public void Extract_SameAddressTwiceInDifferentCase_IsOneIndicator()
    {
        var text = "RANSOM@PROTONMAIL.COM or ransom (at) protonmail (dot) com or ransom@protonmail.com";

        Assert.Equal(["ransom@protonmail.com"], Extracted.Values(IndicatorKind.EmailAddress, text));
    }

    [Fact]
    public void Extract_LocalPartLongerThan64_IsNotAnAddress()
    {
        var text = new string('a', 65) + "@protonmail.com";

        Assert.Empty(Extracted.Of(IndicatorKind.EmailAddress, text));
    }
}
