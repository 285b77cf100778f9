using Bunit;
using Portal.Core.Data;
using Portal.Web.Components;

namespace Portal.Tests.Unit.Components;

/// <summary>Indicators read as words in the reader's language, not as the codes analysis stores.</summary>
public sealed class IndicatorValueTests : ComponentTestContext
{
    private string Text(IndicatorKind kind, string value, string? detail, string culture = "en") =>
        string.Join(' ', RenderIn<IndicatorValue>(culture, p => p.Add(c => c.Kind, kind).Add(c => c.Value, value).Add(c => c.Detail, detail))
            .Nodes.Select(n => n.TextContent)
            .SelectMany(t => t.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public void Deadline_IsHours_WithTheEmailsOwnWords()
    {
        Assert.Equal("Deadline within 24 hours (the email says “24 tunnin kuluessa”)", Text(IndicatorKind.Deadline, "24", "24 tunnin kuluessa"));
        Assert.Equal("Määräaika 48 tunnin kuluessa (viestissä lukee ”kahden päivän sisällä”)", Text(IndicatorKind.Deadline, "48", "kahden päivän sisällä", "fi"));
    }

    [Theory]
    [InlineData("p2wpkh", "SegWit address (P2WPKH)")]
    [InlineData("p2pkh", "legacy address (P2PKH)")]
    [InlineData("p2tr", "Taproot address (P2TR)")]
    [InlineData("segwit-v2", "SegWit version 2 address")]
    public void BitcoinAddress_NamesItsType(string type, string expected) =>
        Assert.EndsWith(expected, Text(IndicatorKind.BitcoinAddress, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", type), StringComparison.Ordinal);

    [Fact]
    public void DomainSubject_ShowsTheDomain_AndAShortFingerprint_NeverTheWholeDigest()
    {
        var text = Text(IndicatorKind.DomainSubject, "extortion.example/0123456789abcdef0123456789abcdef", null);

        Assert.Equal("Sending domain and subject extortion.example with the same subject (fingerprint 01234567)", text);
    }

    [Fact]
    public void Amount_IsInTheReadersNumberFormat_WithItsCurrency() =>
        Assert.Equal("Summa 0,25 BTC", Text(IndicatorKind.Amount, "0.25", "BTC", "fi"));

    [Fact]
    public void Sender_SaysWhichHeaderItCameFrom() =>
        Assert.Equal("Avsändare ransom@extortion.example i Svara till-raden (Reply-To)", Text(IndicatorKind.SenderAddress, "ransom@extortion.example", "reply-to", "sv"));
}
