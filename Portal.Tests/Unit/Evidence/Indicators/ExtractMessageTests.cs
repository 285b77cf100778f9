using System.Text;
using Portal.Core.Features.Evidence.Indicators;
using Portal.Core.Data;

namespace Portal.Tests.Unit.Evidence.Indicators;

public sealed class ExtractMessageTests
{
    private const string Onion = "vastaamo2xbsmswpkzwk3buqmu4drpfmyjbdd6fqtfvwhx7gs2r3hfqd.onion";

    [Fact]
    public void Extract_FinnishExtortionMessage_YieldsExactlyTheExpectedIndicatorsInOrder()
    {
        var text = $"""
            Hyvä Vastaamon asiakas,

            olemme saaneet haltuumme terapiamuistiinpanosi ja henkilötietosi (henkilötunnus 010180-123A).
            Jos haluat, että tietosi poistetaan, maksa 0,1 bitcoinia (noin 1 500 €) osoitteeseen:

            BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4

            Sinulla on 24 tunnin sisällä aikaa maksaa. Jos maksua ei kuulu, summa nousee 0,5 bitcoiniin
            ja saat vielä 48 tuntia. Sen jälkeen tietosi julkaistaan Tor-sivulla {Onion}/tiedot.
            Vuonna 2020 tietomurron uhreja oli yli 30 000.

            Yhteys: ransom (at) tutanota (dot) com tai ransom@tutanota.com.
            Ohjeet: https://www.Vastaamo-Leak.fi/ohjeet?id=42.
            """;

        Assert.Equal(
            [
                new Indicator(IndicatorKind.Amount, "0.1", "BTC"),
                new Indicator(IndicatorKind.Amount, "1500", "EUR"),
                new Indicator(IndicatorKind.BitcoinAddress, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "p2wpkh"),
                new Indicator(IndicatorKind.Deadline, "24", "24 tunnin sisällä"),
                new Indicator(IndicatorKind.Amount, "0.5", "BTC"),
                new Indicator(IndicatorKind.Deadline, "48", "48 tuntia"),
                new Indicator(IndicatorKind.Url, $"http://{Onion}/tiedot", null),
                new Indicator(IndicatorKind.Domain, Onion, null),
                new Indicator(IndicatorKind.EmailAddress, "ransom@tutanota.com", null),
                new Indicator(IndicatorKind.Domain, "tutanota.com", null),
                new Indicator(IndicatorKind.Url, "https://www.vastaamo-leak.fi/ohjeet?id=42", null),
                new Indicator(IndicatorKind.Domain, "vastaamo-leak.fi", null),
            ],
            IndicatorExtractor.Extract(text));
    }

    [Fact]
    public void Extract_EnglishExtortionMessage_YieldsExactlyTheExpectedIndicatorsInOrder()
    {
        const string text = """
            Subject: Your therapy records

            Hello John,

            In 2020 we downloaded your therapy notes from the clinic. Pay 0.1 BTC (about $1,500.00) to
            1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa within 24 hours.
            If we do not receive the payment within 24h, the price is 0.5 BTC and you have two days.
            After 72 hours your notes will be published at http://leak.example.com/patients/john#notes.
            Questions: leakteam[at]protonmail.com. Do not call the police at 555 0100 after 12:30.
            """;

        Assert.Equal(
            [
                new Indicator(IndicatorKind.Amount, "0.1", "BTC"),
                new Indicator(IndicatorKind.Amount, "1500", "USD"),
                new Indicator(IndicatorKind.BitcoinAddress, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pkh"),
                new Indicator(IndicatorKind.Deadline, "24", "within 24 hours"),
                new Indicator(IndicatorKind.Amount, "0.5", "BTC"),
                new Indicator(IndicatorKind.Deadline, "48", "two days"),
                new Indicator(IndicatorKind.Deadline, "72", "72 hours"),
                new Indicator(IndicatorKind.Url, "http://leak.example.com/patients/john", null),
                new Indicator(IndicatorKind.Domain, "leak.example.com", null),
                new Indicator(IndicatorKind.EmailAddress, "leakteam@protonmail.com", null),
                new Indicator(IndicatorKind.Domain, "protonmail.com", null),
            ],
            IndicatorExtractor.Extract(text));
    }

    [Fact]
    public void Extract_MessageWithNoBreakAndZeroWidthCharacters_FindsIndicatorsAroundThem()
    {
        var text = "Maksa\u00A01\u202F500\u00A0€\u00A0viimeistään\u00A048\u00A0tunnin\u00A0sisällä:\u00A0"
            + "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\u200B\r\n\u3000ransom@tutanota.com\u2029";

        Assert.Equal(
            [
                new Indicator(IndicatorKind.Amount, "1500", "EUR"),
                new Indicator(IndicatorKind.Deadline, "48", "48\u00A0tunnin\u00A0sisällä"),
                new Indicator(IndicatorKind.BitcoinAddress, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "p2wpkh"),
                new Indicator(IndicatorKind.EmailAddress, "ransom@tutanota.com", null),
                new Indicator(IndicatorKind.Domain, "tutanota.com", null),
            ],
            IndicatorExtractor.Extract(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \r\n\t ")]
    [InlineData("Hei! Tässä viestissä ei ole mitään erityistä.")]
    public void Extract_TextWithoutIndicators_IsEmpty(string text)
    {
        Assert.Empty(IndicatorExtractor.Extract(text));
    }

    [Fact]
    public void Extract_TwoMegabytesOfNoisyText_StillFindsIndicatorsAtTheEnd()
    {
        var text = NoisyText(2 * 1024 * 1024) + " Pay 0.1 BTC to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 within 24 hours.";

        var indicators = IndicatorExtractor.Extract(text);

        Assert.Contains(new Indicator(IndicatorKind.BitcoinAddress, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "p2wpkh"), indicators);
        Assert.Contains(new Indicator(IndicatorKind.Amount, "0.1", "BTC"), indicators);
        Assert.Contains(indicators, i => i.Kind == IndicatorKind.Deadline && i.Value == "24");
    }

    [Fact]
    public void Extract_MegabytesWithoutAnySeparator_FindsNothing()
    {
        Assert.Empty(IndicatorExtractor.Extract(new string('a', 2 * 1024 * 1024)));
    }

    [Fact]
    public void Extract_MegabyteOfDigitsBeforeCurrency_IsNoAmount()
    {
        Assert.Empty(IndicatorExtractor.Extract(new string('9', 1024 * 1024) + " EUR"));
    }

    [Fact]
    public void Extract_UrlFollowedByMegabyteOfClosingBrackets_KeepsOnlyTheUrl()
    {
        var text = "https://leak.example.com/x" + new string(')', 1024 * 1024);

        Assert.Equal(["https://leak.example.com/x"], Extracted.Values(IndicatorKind.Url, text));
    }

    [Fact]
    public void Extract_RepeatedNearMatches_FindsOnlyTheRealOnes()
    {
        var noise = new StringBuilder();
        for (var i = 0; i < 50_000; i++)
        {
            noise.Append("www.a@b.1 500 ,in 2 (at) ;");
        }

        var text = noise + " ransom@tutanota.com";

        Assert.Equal(["ransom@tutanota.com"], Extracted.Values(IndicatorKind.EmailAddress, text));
        Assert.Empty(Extracted.Of(IndicatorKind.Amount, text));
        Assert.Empty(Extracted.Of(IndicatorKind.Deadline, text));
    }

    /// <summary>
    /// Deterministic noise built from fragments that nearly match every pattern (digits with
    /// separators, currency signs, "www.", '@', bech32-looking runs, unit words) so every scanner
    /// works through the whole text.
    /// </summary>
    private static string NoisyText(int length)
    {
        string[] fragments =
        [
            "1", "2", "0", " ", "\u00A0", "\u202F", ".", ",", ":", "€", "$", "₿", "BTC", "eur", "h", "hours",
            "tuntia", "www.", "http://", "@", "bc1q", "1A1z", "(at)", "[dot]", "ä", "\n", "x", "qpzry9x8",
            "within ", "-", "/", "?", ")", "\"",
        ];

        var builder = new StringBuilder(length + 16);
        var state = 0x9E3779B97F4A7C15UL;
        while (builder.Length < length)
        {
            state = (state * 6364136223846793005UL) + 1442695040888963407UL;
            builder.Append(fragments[(int)((state >> 33) % (ulong)fragments.Length)]);
        }

        return builder.ToString();
    }
}
