using System.Text;
using System.Text.Unicode;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// Turns bytes in a declared MIME charset into text. Mail mislabels its charset often, so a
/// missing or "us-ascii" label means "UTF-8 if the bytes are valid UTF-8, else Windows-1252",
/// and ISO-8859-1 is read as its superset Windows-1252, as browsers do: the bytes 0x80-0x9F are
/// control characters in Latin-1 but curly quotes and the euro sign in what senders really used.
/// </summary>
internal static class Charsets
{
    private static readonly Encoding LenientUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private static readonly Encoding Windows1252;

    // .NET's code page provider lacks these two ISO-8859 parts; only 0xA0-0xFF differ from Latin-1.
    private static readonly Dictionary<string, string> UpperHalves = new(StringComparer.Ordinal)
    {
        ["iso-8859-10"] = Table(
            0x00A0, 0x0104, 0x0112, 0x0122, 0x012A, 0x0128, 0x0136, 0x00A7, 0x013B, 0x0110, 0x0160, 0x0166, 0x017D, 0x00AD, 0x016A, 0x014A,
            0x00B0, 0x0105, 0x0113, 0x0123, 0x012B, 0x0129, 0x0137, 0x00B7, 0x013C, 0x0111, 0x0161, 0x0167, 0x017E, 0x2015, 0x016B, 0x014B,
            0x0100, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x012E, 0x010C, 0x00C9, 0x0118, 0x00CB, 0x0116, 0x00CD, 0x00CE, 0x00CF,
            0x00D0, 0x0145, 0x014C, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x0168, 0x00D8, 0x0172, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x00DE, 0x00DF,
            0x0101, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x012F, 0x010D, 0x00E9, 0x0119, 0x00EB, 0x0117, 0x00ED, 0x00EE, 0x00EF,
            0x00F0, 0x0146, 0x014D, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x0169, 0x00F8, 0x0173, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x00FE, 0x0138),
        ["iso-8859-14"] = Table(
            0x00A0, 0x1E02, 0x1E03, 0x00A3, 0x010A, 0x010B, 0x1E0A, 0x00A7, 0x1E80, 0x00A9, 0x1E82, 0x1E0B, 0x1EF2, 0x00AD, 0x00AE, 0x0178,
            0x1E1E, 0x1E1F, 0x0120, 0x0121, 0x1E40, 0x1E41, 0x00B6, 0x1E56, 0x1E81, 0x1E57, 0x1E83, 0x1E60, 0x1EF3, 0x1E84, 0x1E85, 0x1E61,
            0x00C0, 0x00C1, 0x00C2, 0x00C3, 0x00C4, 0x00C5, 0x00C6, 0x00C7, 0x00C8, 0x00C9, 0x00CA, 0x00CB, 0x00CC, 0x00CD, 0x00CE, 0x00CF,
            0x0174, 0x00D1, 0x00D2, 0x00D3, 0x00D4, 0x00D5, 0x00D6, 0x1E6A, 0x00D8, 0x00D9, 0x00DA, 0x00DB, 0x00DC, 0x00DD, 0x0176, 0x00DF,
            0x00E0, 0x00E1, 0x00E2, 0x00E3, 0x00E4, 0x00E5, 0x00E6, 0x00E7, 0x00E8, 0x00E9, 0x00EA, 0x00EB, 0x00EC, 0x00ED, 0x00EE, 0x00EF,
            0x0175, 0x00F1, 0x00F2, 0x00F3, 0x00F4, 0x00F5, 0x00F6, 0x1E6B, 0x00F8, 0x00F9, 0x00FA, 0x00FB, 0x00FC, 0x00FD, 0x0177, 0x00FF),
    };

    static Charsets()
    {
        // ISO-8859-2..15, Windows-125x, KOI8-R, Shift_JIS and the rest are not in .NET by default.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Windows1252 = Encoding.GetEncoding(1252);
    }

    /// <summary>
    /// Decodes text in the given charset. An unknown charset is read as UTF-8 or Windows-1252
    /// and, when a context is given, a warning says so.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string? charset, EmailReadContext? context)
    {
        var name = Normalize(charset);
        if (name.Length == 0 || name is "us-ascii" or "ascii" or "ansi_x3.4-1968" or "iso646-us" or "unknown-8bit" or "x-unknown")
        {
            return Guess(bytes).GetString(bytes);
        }

        if (UpperHalves.TryGetValue(name, out var upperHalf))
        {
            return DecodeSingleByte(bytes, upperHalf);
        }

        var encoding = Find(name);
        if (encoding is null)
        {
            context?.Warn($"The charset \"{Printable(name)}\" is unknown; the text was read as UTF-8 or Windows-1252.");
            encoding = Guess(bytes);
        }

        return encoding.GetString(bytes);
    }

    /// <summary>Header bytes should be ASCII; raw 8-bit headers are UTF-8 (RFC 6532) or a legacy code page.</summary>
    public static string DecodeUndeclared(ReadOnlySpan<byte> bytes) => Guess(bytes).GetString(bytes);

    private static Encoding? Find(string name) => name switch
    {
        "utf-8" or "utf8" or "unicode-1-1-utf-8" => LenientUtf8,
        "iso-8859-1" or "iso8859-1" or "iso_8859-1" or "latin1" or "latin-1" or "l1" or "cp819" or "ibm819" => Windows1252,
        "utf-16" or "utf-16le" => Encoding.Unicode,
        "utf-16be" => Encoding.BigEndianUnicode,
        "utf-32" or "utf-32le" => Encoding.UTF32,
        "utf-32be" => new UTF32Encoding(bigEndian: true, byteOrderMark: false),
        _ => CodePagesEncodingProvider.Instance.GetEncoding(name),
    };

    private static Encoding Guess(ReadOnlySpan<byte> bytes) => Utf8.IsValid(bytes) ? LenientUtf8 : Windows1252;

    private static string Normalize(string? charset)
    {
        var name = charset?.Trim().Trim('"', '\'').Trim().ToLowerInvariant() ?? "";

        // A charset name has no spaces; what follows one is a comment: "us-ascii (Plain text)".
        var end = name.IndexOfAny([' ', '\t', '(']);
        if (end >= 0)
        {
            name = name[..end];
        }

        return name switch
        {
            "iso8859-10" or "iso_8859-10" or "latin6" => "iso-8859-10",
            "iso8859-14" or "iso_8859-14" or "latin8" => "iso-8859-14",
            _ => name,
        };
    }

    private static string DecodeSingleByte(ReadOnlySpan<byte> bytes, string upperHalf)
    {
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            chars[i] = b < 0xA0 ? (char)b : upperHalf[b - 0xA0];
        }

        return new string(chars);
    }

    private static string Table(params int[] codePoints) => new(codePoints.Select(c => (char)c).ToArray());

    private static string Printable(string name) =>
        new(name.Take(40).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
