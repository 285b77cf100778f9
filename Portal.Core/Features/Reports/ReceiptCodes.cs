using System.Security.Cryptography;
using System.Text;
using Portal.Core.Crypto;

namespace Portal.Core.Features.Reports;

/// <summary>
/// Crockford base32: no I, L, O or U, so a code read aloud or copied from paper survives.
/// Input is forgiving: O reads as 0, I and L as 1, case, spaces and dashes are ignored.
/// </summary>
internal static class Crockford
{
    public const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string Random(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        }

        return new string(chars);
    }

    public static string? Clean(string? input, int maxLength)
    {
        if (input is null || input.Length > maxLength)
        {
            return null;
        }

        var builder = new StringBuilder(input.Length);
        foreach (var raw in input)
        {
            if (raw is '-' or ' ' or '\u00A0' or '\t')
            {
                continue;
            }

            var c = char.ToUpperInvariant(raw) switch
            {
                'O' => '0',
                'I' or 'L' => '1',
                var other => other,
            };
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return null;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    public static string Group(string code, int size) =>
        string.Join('-', code.Chunk(size).Select(part => new string(part)));
}

/// <summary>The public case reference, e.g. VS-7KQM-2XPD: 40 bits, unique by index, not a secret.</summary>
public static class CaseReference
{
    private const string Prefix = "VS";

    public static string New() => Prefix + "-" + Crockford.Group(Crockford.Random(8), 4);

    public static bool TryNormalize(string? input, out string reference)
    {
        reference = "";
        var trimmed = input?.Trim();
        if (trimmed is not null && trimmed.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[Prefix.Length..];
        }

        var code = Crockford.Clean(trimmed, 32);
        if (code is not { Length: 8 })
        {
            return false;
        }

        reference = Prefix + "-" + Crockford.Group(code, 4);
        return true;
    }
}

/// <summary>The secret receipt key: 24 base32 characters, 120 bits, shown to the victim once.</summary>
public static class ReceiptKey
{
    public const int Characters = 24;

    public static string New() => Crockford.Group(Crockford.Random(Characters), 4);

    public static bool TryNormalize(string? input, out string key)
    {
        key = "";
        var code = Crockford.Clean(input?.Trim(), 64);
        if (code is not { Length: Characters })
        {
            return false;
        }

        key = Crockford.Group(code, 4);
        return true;
    }
}

/// <summary>
/// Receipts are stored only as HMAC-SHA-256 under a server secret kept outside the database.
/// At 120 bits of entropy a slow hash would add nothing but cost.
/// </summary>
public sealed class ReceiptHasher(IKeySource keys)
{
    public const string SecretName = "receipt-mac";

    public byte[] Hash(string reference, string receiptKey) =>
        HMACSHA256.HashData(keys.GetSecret(SecretName), Encoding.UTF8.GetBytes(reference + "\n" + receiptKey));

    /// <summary>How many keys replaced by resends stay valid beside the newest, until a key is first used.</summary>
    public const int EarlierKeysKept = 8;

    private const int HashSize = 32;

    /// <summary>
    /// The stored fingerprint that the reference and key match: the current one, or one a resend
    /// replaced (<paramref name="earlier"/>, see <see cref="Data.Case.EarlierReceiptHashes"/>);
    /// null when none does. Every stored fingerprint is compared, so the time taken does not tell
    /// which one matched.
    /// </summary>
    public byte[]? Match(string reference, string receiptKey, byte[] current, byte[]? earlier)
    {
        var hash = Hash(reference, receiptKey);
        var matched = CryptographicOperations.FixedTimeEquals(hash, current) ? current : null;
        for (var offset = 0; earlier is not null && offset + HashSize <= earlier.Length; offset += HashSize)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, earlier.AsSpan(offset, HashSize)))
            {
                matched ??= earlier[offset..(offset + HashSize)];
            }
        }

        return matched;
    }

    /// <summary>The earlier fingerprints with <paramref name="replaced"/> added as the newest; the oldest beyond <see cref="EarlierKeysKept"/> go.</summary>
    public static byte[] KeepEarlier(byte[]? earlier, byte[] replaced)
    {
        var all = (earlier ?? []).Concat(replaced).ToArray();
        return all[Math.Max(0, all.Length - (EarlierKeysKept * HashSize))..];
    }

    /// <summary>A keyed digest of a form's answers, so a resend can be recognised without keeping the answers in the clear.</summary>
    public byte[] AnswersDigest(ReadOnlySpan<byte> canonicalAnswers)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, keys.GetSecret(SecretName));
        hmac.AppendData("submission-answers\0"u8);
        hmac.AppendData(canonicalAnswers);
        return hmac.GetHashAndReset();
    }
}
