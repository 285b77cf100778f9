using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Tests.Unit.Evidence.Indicators;

/// <summary>
/// Encoders written from BIP-173/BIP-350 and the Base58Check description, independent of the
/// decoder under test, so tests can build valid addresses (and deliberately wrong variants).
/// </summary>
internal static class AddressEncoder
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

    public static string Base58Check(byte version, byte[] hash)
    {
        byte[] payload = [version, .. hash];
        var checksum = SHA256.HashData(SHA256.HashData(payload))[..4];
        byte[] full = [.. payload, .. checksum];

        var number = new BigInteger(full, isUnsigned: true, isBigEndian: true);
        var text = new StringBuilder();
        while (number > 0)
        {
            text.Insert(0, Base58Alphabet[(int)(number % 58)]);
            number /= 58;
        }

        foreach (var b in full)
        {
            if (b != 0)
            {
                break;
            }

            text.Insert(0, '1');
        }

        return text.ToString();
    }

    public static string Segwit(string hrp, int version, byte[] program, bool bech32m)
    {
        var data = new List<int> { version };
        var accumulator = 0;
        var bits = 0;
        foreach (var b in program)
        {
            accumulator = (accumulator << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                data.Add((accumulator >> bits) & 31);
            }
        }

        if (bits > 0)
        {
            data.Add((accumulator << (5 - bits)) & 31);
        }

        var values = new List<int>();
        values.AddRange(hrp.Select(c => c >> 5));
        values.Add(0);
        values.AddRange(hrp.Select(c => c & 31));
        values.AddRange(data);
        values.AddRange([0, 0, 0, 0, 0, 0]);
        var polymod = Polymod(values) ^ (bech32m ? 0x2bc830a3u : 1u);

        var text = new StringBuilder(hrp).Append('1');
        foreach (var value in data)
        {
            text.Append(Bech32Charset[value]);
        }

        for (var i = 0; i < 6; i++)
        {
            text.Append(Bech32Charset[(int)((polymod >> (5 * (5 - i))) & 31)]);
        }

        return text.ToString();
    }

    public static byte[] Bytes(int length, byte seed) =>
        [.. Enumerable.Range(0, length).Select(i => (byte)((i * 37) + seed))];

    private static uint Polymod(IEnumerable<int> values)
    {
        uint[] generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        var checksum = 1u;
        foreach (var value in values)
        {
            var top = checksum >> 25;
            checksum = ((checksum & 0x1ffffff) << 5) ^ (uint)value;
            for (var i = 0; i < 5; i++)
            {
                checksum ^= ((top >> i) & 1) != 0 ? generator[i] : 0;
            }
        }

        return checksum;
    }
}
