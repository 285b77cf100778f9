using Portal.Core.Data;

namespace Portal.Tests.Unit.Evidence.Indicators;

public sealed class ExtractBitcoinAddressTests
{
    private const string P2wpkh = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    private const string Taproot = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0";

    [Theory]
    [InlineData("Send to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.", P2wpkh, "p2wpkh")]
    [InlineData("Lähetä osoitteeseen: BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4!", P2wpkh, "p2wpkh")]
    [InlineData("bitcoin:bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0?amount=0.1", Taproot, "p2tr")]
    [InlineData("(1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa)", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pkh")]
    [InlineData("adress:\u00A03J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy\u00A0nu", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh")]
    public void Extract_ValidAddressInText_IsFoundWithType(string text, string expected, string expectedType)
    {
        var address = Assert.Single(Extracted.Of(IndicatorKind.BitcoinAddress, text));

        Assert.Equal(expected, address.Value);
        Assert.Equal(expectedType, address.Detail);
    }

    [Fact]
    public void Extract_Bech32WithOneCharacterChanged_IsNotAnAddress()
    {
        // The last data character before the checksum, 'k' turned into 'h'.
        var text = "Maksa osoitteeseen bc1qw508d6qejxtdg4y5r3zarvary0c5xw7hv8f3t4 heti.";

        Assert.Empty(Extracted.Of(IndicatorKind.BitcoinAddress, text));
    }

    [Fact]
    public void Extract_Base58WithOneCharacterChanged_IsNotAnAddress()
    {
        var text = "Pay to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb now.";

        Assert.Empty(Extracted.Of(IndicatorKind.BitcoinAddress, text));
    }

    [Fact]
    public void Extract_TestnetAddress_IsNotAnAddress()
    {
        var text = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7";

        Assert.Empty(Extracted.Of(IndicatorKind.BitcoinAddress, text));
    }

    [Fact]
    public void Extract_AddressGluedToLetters_IsNotAnAddress()
    {
        var text = $"x{P2wpkh} and {P2wpkh}x";

        Assert.Empty(Extracted.Of(IndicatorKind.BitcoinAddress, text));
    }

    [Fact]
    public void Extract_SameAddressInUpperAndLowerCase_IsOneIndicator()
    {
        var text = $"{P2wpkh.ToUpperInvariant()} or {P2wpkh}";

        Assert.Equal([P2wpkh], Extracted.Values(IndicatorKind.BitcoinAddress, text));
    }

    [Fact]
    public void Extract_SeveralAddresses_AreInOrderOfAppearance()
    {
        var text = $"first {Taproot}, then 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa, then {P2wpkh}";

        Assert.Equal([Taproot, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", P2wpkh], Extracted.Values(IndicatorKind.BitcoinAddress, text));
    }
}
