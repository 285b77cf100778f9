using System.Numerics;
using System.Security.Cryptography;

namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>
/// Recognises mainnet Bitcoin addresses by their checksum. A string that looks like an address but
/// fails its checksum is a typo or a forgery, and clustering cases on it would join unrelated ones.
/// </summary>
public static class BitcoinAddress
{
    private const string Base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const int Base58PayloadLength = 25;
    private const int Base58MinLength = 25;
    private const int Base58MaxLength = 35;
    private const byte P2pkhVersion = 0x00;
    private const byte P2shVersion = 0x05;
    private const string MainnetHrp = "bc";

    /// <summary>
    /// True only for a mainnet address whose checksum is valid: Base58Check P2PKH (version 0x00)
    /// and P2SH (0x05) of 25 decoded bytes, Bech32 (BIP-173) for witness version 0 with a 20- or
    /// 32-byte program, and Bech32m (BIP-350) for witness versions 1 to 16. Surrounding whitespace
    /// is ignored. On success <paramref name="normalized"/> is the address (bech32 lower-cased) and
    /// <paramref name="type"/> is "p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr" or "segwit-v{n}".
    /// </summary>
    public static bool TryParse(string candidate, out string normalized, out string type)
    {
        var trimmed = candidate.Trim();
        if (TryParseBase58Check(trimmed, out type) || TryParseSegwit(trimmed, out type))
        {
            normalized = trimmed.StartsWith('1') || trimmed.StartsWith('3') ? trimmed : trimmed.ToLowerInvariant();
            return true;
        }

        normalized = "";
        type = "";
        return false;
    }

    private static bool TryParseBase58Check(string candidate, out string type)
    {
        type = "";
        if (candidate.Length is < Base58MinLength or > Base58MaxLength || candidate[0] is not ('1' or '3'))
        {
            return false;
        }

        var number = BigInteger.Zero;
        foreach (var c in candidate)
        {
            var digit = Base58Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (digit < 0)
            {
                return false;
            }

            number = (number * 58) + digit;
        }

        // Each leading '1' stands for a leading zero byte that the number itself cannot carry.
        var leadingZeros = candidate.Length - candidate.TrimStart('1').Length;
        var significant = number.IsZero ? [] : number.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (leadingZeros + significant.Length != Base58PayloadLength)
        {
            return false;
        }

        var payload = new byte[Base58PayloadLength];
        significant.CopyTo(payload, leadingZeros);

        Span<byte> first = stackalloc byte[32];
        Span<byte> second = stackalloc byte[32];
        SHA256.HashData(payload.AsSpan(0, 21), first);
        SHA256.HashData(first, second);
        if (!second[..4].SequenceEqual(payload.AsSpan(21, 4)))
        {
            return false;
        }

        type = payload[0] switch
        {
            P2pkhVersion => "p2pkh",
            P2shVersion => "p2sh",
            _ => "",
        };
        return type.Length > 0;
    }

    private static bool TryParseSegwit(string candidate, out string type)
    {
        type = "";
        if (!Bech32.TryDecode(candidate, out var hrp, out var data, out var encoding)
            || hrp != MainnetHrp
            || data.Length == 0)
        {
            return false;
        }

        var version = data[0];
        if (version > 16 || !Bech32.TryConvertToBytes(data.AsSpan(1), out var program))
        {
            return false;
        }

        if (program.Length is < 2 or > 40 || (version == 0 && program.Length is not (20 or 32)))
        {
            return false;
        }

        // BIP-350: version 0 keeps Bech32, every later version must use Bech32m, so an address
        // written with the wrong checksum variant is rejected rather than silently accepted.
        var expected = version == 0 ? Bech32Encoding.Bech32 : Bech32Encoding.Bech32m;
        if (encoding != expected)
        {
            return false;
        }

        type = (version, program.Length) switch
        {
            (0, 20) => "p2wpkh",
            (0, _) => "p2wsh",
            (1, 32) => "p2tr",
            _ => $"segwit-v{version}",
        };
        return true;
    }
}
