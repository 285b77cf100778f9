namespace Portal.Core.Features.Evidence.Indicators;

internal enum Bech32Encoding
{
    Bech32,
    Bech32m,
}

/// <summary>
/// The checksummed base32 string format of BIP-173, with the BIP-350 variant (Bech32m) that
/// differs only in the constant the checksum must produce. Written from the specifications.
/// </summary>
internal static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const int MaxLength = 90;
    private const int ChecksumLength = 6;
    private const uint Bech32Constant = 1;
    private const uint Bech32mConstant = 0x2bc830a3;
    private static readonly uint[] Generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

    /// <summary>
    /// Decodes a string whose checksum is valid in either encoding. The human-readable part comes
    /// back lower-case; data holds the 5-bit values between the separator and the checksum.
    /// </summary>
    public static bool TryDecode(string text, out string hrp, out byte[] data, out Bech32Encoding encoding)
    {
        hrp = "";
        data = [];
        encoding = Bech32Encoding.Bech32;

        if (text.Length is < 1 + 1 + ChecksumLength or > MaxLength)
        {
            return false;
        }

        var hasLower = false;
        var hasUpper = false;
        foreach (var c in text)
        {
            if (c is < (char)33 or > (char)126)
            {
                return false;
            }

            hasLower |= c is >= 'a' and <= 'z';
            hasUpper |= c is >= 'A' and <= 'Z';
        }

        // The spec allows all-upper-case (it fits QR alphanumeric mode) but never a mix.
        if (hasLower && hasUpper)
        {
            return false;
        }

        var lower = text.ToLowerInvariant();
        var separator = lower.LastIndexOf('1');
        if (separator < 1 || separator + 1 + ChecksumLength > lower.Length)
        {
            return false;
        }

        var values = new byte[lower.Length - separator - 1];
        for (var i = 0; i < values.Length; i++)
        {
            var index = Charset.IndexOf(lower[separator + 1 + i], StringComparison.Ordinal);
            if (index < 0)
            {
                return false;
            }

            values[i] = (byte)index;
        }

        var hrpPart = lower[..separator];
        switch (Polymod(hrpPart, values))
        {
            case Bech32Constant:
                encoding = Bech32Encoding.Bech32;
                break;
            case Bech32mConstant:
                encoding = Bech32Encoding.Bech32m;
                break;
            default:
                return false;
        }

        hrp = hrpPart;
        data = values[..^ChecksumLength];
        return true;
    }

    /// <summary>
    /// Regroups 5-bit values into bytes. Leftover bits are padding: at most four, all zero, or the
    /// string did not come from whole bytes.
    /// </summary>
    public static bool TryConvertToBytes(ReadOnlySpan<byte> fiveBitValues, out byte[] bytes)
    {
        bytes = new byte[fiveBitValues.Length * 5 / 8];
        var accumulator = 0;
        var bits = 0;
        var written = 0;
        foreach (var value in fiveBitValues)
        {
            accumulator = ((accumulator << 5) | value) & 0xfff;
            bits += 5;
            while (bits >= 8)
            {
                bits -= 8;
                bytes[written++] = (byte)((accumulator >> bits) & 0xff);
            }
        }

        if (bits >= 5 || ((accumulator << (8 - bits)) & 0xff) != 0)
        {
            bytes = [];
            return false;
        }

        return true;
    }

    private static uint Polymod(string hrp, byte[] values)
    {
        var checksum = 1u;
        foreach (var c in hrp)
        {
            checksum = Step(checksum, (uint)c >> 5);
        }

        checksum = Step(checksum, 0);
        foreach (var c in hrp)
        {
            checksum = Step(checksum, (uint)c & 31);
        }

        foreach (var value in values)
        {
            checksum = Step(checksum, value);
        }

        return checksum;
    }

    private static uint Step(uint checksum, uint value)
    {
        var top = checksum >> 25;
        checksum = ((checksum & 0x1ffffff) << 5) ^ value;
        for (var i = 0; i < Generator.Length; i++)
        {
            if (((top >> i) & 1) != 0)
            {
                checksum ^= Generator[i];
            }
        }

        return checksum;
    }
}
