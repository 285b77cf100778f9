using Portal.Core.Features.Evidence.Indicators;

namespace Portal.Tests.Unit.Evidence.Indicators;

public sealed class Bech32Tests
{
    // BIP-173 valid Bech32 strings.
    [Theory]
    [InlineData("A12UEL5L")]
    [InlineData("a12uel5l")]
    [InlineData("an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs")]
    [InlineData("abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw")]
    [InlineData("11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j")]
    [InlineData("split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w")]
    [InlineData("?1ezyfcl")]
    public void TryDecode_Bip173ValidString_DecodesAsBech32(string text)
    {
        Assert.True(Bech32.TryDecode(text, out _, out _, out var encoding));
        Assert.Equal(Bech32Encoding.Bech32, encoding);
    }

    // BIP-350 valid Bech32m strings.
    [Theory]
    [InlineData("A1LQFN3A")]
    [InlineData("a1lqfn3a")]
    [InlineData("an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6")]
    [InlineData("abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx")]
    [InlineData("11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8")]
    [InlineData("split1checkupstagehandshakeupstreamerranterredcaperredlc445v")]
    [InlineData("?1v759aa")]
    public void TryDecode_Bip350ValidString_DecodesAsBech32m(string text)
    {
        Assert.True(Bech32.TryDecode(text, out _, out _, out var encoding));
        Assert.Equal(Bech32Encoding.Bech32m, encoding);
    }

    [Fact]
    public void TryDecode_UpperCaseString_ReturnsLowerCaseHrp()
    {
        Assert.True(Bech32.TryDecode("A12UEL5L", out var hrp, out var data, out _));
        Assert.Equal("a", hrp);
        Assert.Empty(data);
    }

    // BIP-173 and BIP-350 invalid strings, with the reasons given there.
    [Theory]
    [InlineData("\u00201nwldj5")] // HRP character out of range
    [InlineData("\u007F1axkwrx")] // HRP character out of range
    [InlineData("\u00801eym55h")] // HRP character out of range
    [InlineData("an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx")] // too long
    [InlineData("pzry9x0s0muk")] // no separator
    [InlineData("1pzry9x0s0muk")] // empty HRP
    [InlineData("x1b4n0q5v")] // invalid data character
    [InlineData("li1dgmt3")] // too short checksum
    [InlineData("de1lg7wt\u00FF")] // invalid character in checksum
    [InlineData("A1G7SGD8")] // checksum calculated with upper-case HRP
    [InlineData("10a06t8")] // empty HRP
    [InlineData("1qzzfhee")] // empty HRP
    [InlineData("\u00201xj0phk")] // HRP character out of range
    [InlineData("an84characterslonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11d6pts4")] // too long
    [InlineData("qyrz8wqd2c9m")] // no separator
    [InlineData("y1b0jsk6g")] // invalid data character
    [InlineData("lt1igcx5c0")] // invalid data character
    [InlineData("in1muywd")] // too short checksum
    [InlineData("mm1crxm3i")] // invalid character in checksum
    [InlineData("au1s5cgom")] // invalid character in checksum
    [InlineData("M1VUXWEZ")] // checksum calculated with upper-case HRP
    [InlineData("16plkw9")] // empty HRP
    [InlineData("1p2gdwpf")] // empty HRP
    public void TryDecode_SpecificationInvalidString_IsRejected(string text)
    {
        Assert.False(Bech32.TryDecode(text, out _, out _, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0 }, false)] // 5 bits of padding
    [InlineData(new byte[] { 0, 1 }, false)] // non-zero padding
    [InlineData(new byte[] { 31, 28 }, true)] // 0xff with two zero bits of padding
    public void TryConvertToBytes_Padding_IsCheckedAsSpecified(byte[] values, bool expected)
    {
        byte[] expectedBytes = expected ? [0xff] : [];

        Assert.Equal(expected, Bech32.TryConvertToBytes(values, out var bytes));
        Assert.Equal(expectedBytes, bytes);
    }
}
