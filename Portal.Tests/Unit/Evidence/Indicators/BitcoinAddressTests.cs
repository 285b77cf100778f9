using Portal.Core.Features.Evidence.Indicators;

namespace Portal.Tests.Unit.Evidence.Indicators;

public sealed class BitcoinAddressTests
{
    // BIP-13 / Bitcoin wiki examples and the genesis block coinbase address.
    [Theory]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pkh")]
    [InlineData("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "p2pkh")]
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "p2sh")]
    public void TryParse_RealBase58CheckAddress_IsAcceptedAsWritten(string address, string expectedType)
    {
        Assert.True(BitcoinAddress.TryParse(address, out var normalized, out var type));
        Assert.Equal(address, normalized);
        Assert.Equal(expectedType, type);
    }

    // The mainnet entries of the BIP-350 valid segwit address test vectors.
    [Theory]
    [InlineData("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "p2wpkh")]
    [InlineData("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "segwit-v1")]
    [InlineData("BC1SW50QGDZ25J", "bc1sw50qgdz25j", "segwit-v16")]
    [InlineData("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "segwit-v2")]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "p2tr")]
    public void TryParse_Bip350ValidMainnetVector_IsAcceptedLowerCasedWithType(string address, string expected, string expectedType)
    {
        Assert.True(BitcoinAddress.TryParse(address, out var normalized, out var type));
        Assert.Equal(expected, normalized);
        Assert.Equal(expectedType, type);
    }

    [Fact]
    public void TryParse_ComputedP2wshAddress_IsAcceptedAsP2wsh()
    {
        // The 32-byte program of the BIP-173 testnet P2WSH vector, encoded for mainnet.
        var program = Convert.FromHexString("1863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262");
        var address = AddressEncoder.Segwit("bc", 0, program, bech32m: false);

        Assert.Equal("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", address);
        Assert.True(BitcoinAddress.TryParse(address, out _, out var type));
        Assert.Equal("p2wsh", type);
    }

    [Theory]
    [InlineData(0x00, "p2pkh")]
    [InlineData(0x05, "p2sh")]
    public void TryParse_ComputedBase58CheckAddresses_AreAcceptedWithType(byte version, string expectedType)
    {
        for (byte seed = 0; seed < 50; seed++)
        {
            var address = AddressEncoder.Base58Check(version, AddressEncoder.Bytes(20, seed));

            Assert.True(BitcoinAddress.TryParse(address, out var normalized, out var type), address);
            Assert.Equal(address, normalized);
            Assert.Equal(expectedType, type);
        }
    }

    [Fact]
    public void TryParse_Base58CheckWithAllZeroHash_KeepsLeadingOnes()
    {
        var address = AddressEncoder.Base58Check(0x00, new byte[20]);

        Assert.StartsWith("111111111111111111111", address, StringComparison.Ordinal);
        Assert.True(BitcoinAddress.TryParse(address, out var normalized, out var type));
        Assert.Equal(address, normalized);
        Assert.Equal("p2pkh", type);
    }

    // Testnet P2PKH (0x6f), testnet P2SH (0xc4) and a version that is no address at all.
    [Theory]
    [InlineData(0x6f)]
    [InlineData(0xc4)]
    [InlineData(0x01)]
    public void TryParse_Base58CheckWithValidChecksumButOtherVersion_IsRejected(byte version)
    {
        var address = AddressEncoder.Base58Check(version, AddressEncoder.Bytes(20, 7));

        Assert.False(BitcoinAddress.TryParse(address, out var normalized, out var type));
        Assert.Equal("", normalized);
        Assert.Equal("", type);
    }

    [Theory]
    [InlineData("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7")]
    [InlineData("tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy")]
    [InlineData("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c")]
    public void TryParse_ValidTestnetSegwitAddress_IsRejected(string address)
    {
        Assert.False(BitcoinAddress.TryParse(address, out _, out _));
    }

    // The BIP-350 invalid segwit address test vectors, each with the reason given there.
    [Theory]
    [InlineData("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut")] // invalid human-readable part
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd")] // Bech32 instead of Bech32m
    [InlineData("tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf")] // Bech32 instead of Bech32m
    [InlineData("BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL")] // Bech32 instead of Bech32m
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh")] // Bech32m instead of Bech32
    [InlineData("tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47")] // Bech32m instead of Bech32
    [InlineData("bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4")] // invalid character in checksum
    [InlineData("BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R")] // invalid witness version
    [InlineData("bc1pw5dgrnzv")] // program length 1 byte
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav")] // program length 41 bytes
    [InlineData("BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P")] // program length 16 bytes for version 0
    [InlineData("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq")] // mixed case
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf")] // more than 4 bits of padding
    [InlineData("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j")] // non-zero padding
    [InlineData("bc1gmk9yu")] // empty data section
    public void TryParse_Bip350InvalidVector_IsRejected(string address)
    {
        Assert.False(BitcoinAddress.TryParse(address, out _, out _));
    }

    [Theory]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh")] // BIP-350: v0 written with Bech32m
    [InlineData("bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx")] // BIP-173-era v1 with Bech32
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd")] // BIP-350: v1 written with Bech32
    public void TryParse_WitnessVersionWithWrongChecksumVariant_IsRejected(string address)
    {
        Assert.False(BitcoinAddress.TryParse(address, out _, out _));
    }

    [Theory]
    [InlineData(0, 20, true)]
    [InlineData(0, 32, true)]
    [InlineData(1, 32, false)]
    [InlineData(2, 20, false)]
    [InlineData(16, 40, false)]
    public void TryParse_ComputedSegwitAddressWithWrongChecksumVariant_IsRejected(int version, int programLength, bool bech32m)
    {
        var program = AddressEncoder.Bytes(programLength, 3);
        var right = AddressEncoder.Segwit("bc", version, program, !bech32m);
        var wrong = AddressEncoder.Segwit("bc", version, program, bech32m);

        Assert.True(BitcoinAddress.TryParse(right, out _, out _));
        Assert.False(BitcoinAddress.TryParse(wrong, out _, out _));
    }

    [Theory]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")]
    [InlineData("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy")]
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")]
    [InlineData("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3")]
    [InlineData("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0")]
    public void TryParse_AnySingleCharacterChanged_IsRejected(string address)
    {
        Assert.True(BitcoinAddress.TryParse(address, out _, out _));

        var alphabet = address.StartsWith("bc1", StringComparison.Ordinal)
            ? "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
            : "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        for (var i = 0; i < address.Length; i++)
        {
            var current = alphabet.IndexOf(address[i], StringComparison.Ordinal);
            var replacement = alphabet[(Math.Max(current, 0) + 1) % alphabet.Length];
            var changed = string.Concat(address.AsSpan(0, i), replacement.ToString(), address.AsSpan(i + 1));

            Assert.False(BitcoinAddress.TryParse(changed, out _, out _), changed);
        }
    }

    [Theory]
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN")] // a character dropped
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNaa")] // one added
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNA")] // case changed
    [InlineData("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfN0")] // not in the alphabet
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4q")] // one added
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb")] // 'b' is not in the charset
    [InlineData("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8F3t4")] // mixed case
    public void TryParse_MangledVariantOfValidAddress_IsRejected(string valid, string mangled)
    {
        Assert.True(BitcoinAddress.TryParse(valid, out _, out _));
        Assert.False(BitcoinAddress.TryParse(mangled, out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("bitcoin")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    public void TryParse_TextThatIsNoAddress_IsRejected(string candidate)
    {
        Assert.False(BitcoinAddress.TryParse(candidate, out _, out _));
    }

    [Fact]
    public void TryParse_AddressWithSurroundingWhitespace_IsAccepted()
    {
        Assert.True(BitcoinAddress.TryParse(" \u00A0bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\n", out var normalized, out _));
        Assert.Equal("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", normalized);
    }
}
