using System.Buffers;
using System.Text;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// RFC 2047 encoded words (=?charset?B|Q?text?=). Decoding is lenient where mailers are sloppy:
/// words glued to text are decoded too, and adjacent words in one charset are decoded together
/// because senders split multi-byte characters across them.
/// </summary>
internal static class EncodedWords
{
    private const int MaxCharsetLength = 64;

    public static string Decode(string value, EmailReadContext? context)
    {
        var search = value.IndexOf("=?", StringComparison.Ordinal);
        if (search < 0)
        {
            return value;
        }

        var output = new StringBuilder(value.Length);
        var pending = new ArrayBufferWriter<byte>();
        string? pendingCharset = null;
        var textStart = 0;
        var sawWord = false;
        var scan = new FailedScan(-1, -1);
        while (search >= 0)
        {
            if (!TryReadWord(value, search, ref scan, out var charset, out var bytes, out var end))
            {
                search = value.IndexOf("=?", search + 1, StringComparison.Ordinal);
                continue;
            }

            // Whitespace between two encoded words is folding, not content (RFC 2047 section 6.2).
            var between = value.AsSpan(textStart, search - textStart);
            if (!(sawWord && between.IsWhiteSpace()))
            {
                Flush(output, pending, pendingCharset, context);
                output.Append(between);
            }
            else if (!string.Equals(pendingCharset, charset, StringComparison.OrdinalIgnoreCase))
            {
                Flush(output, pending, pendingCharset, context);
            }

            pendingCharset = charset;
            pending.Write(bytes);
            sawWord = true;
            textStart = end;
            search = value.IndexOf("=?", end, StringComparison.Ordinal);
        }

        Flush(output, pending, pendingCharset, context);
        output.Append(value.AsSpan(textStart));
        return output.ToString();
    }

    public static byte[] DecodeQ(ReadOnlySpan<char> text)
    {
        var output = new byte[text.Length];
        var written = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '_')
            {
                output[written++] = (byte)' ';
            }
            else if (c == '=' && i + 2 < text.Length
                && TransferEncoding.HexValue(text[i + 1]) is var high and >= 0
                && TransferEncoding.HexValue(text[i + 2]) is var low and >= 0)
            {
                output[written++] = (byte)((high << 4) | low);
                i += 2;
            }
            else
            {
                output[written++] = c < 0x80 ? (byte)c : (byte)'?';
            }
        }

        return output.AsSpan(0, written).ToArray();
    }

    private static void Flush(StringBuilder output, ArrayBufferWriter<byte> pending, string? charset, EmailReadContext? context)
    {
        if (pending.WrittenCount > 0)
        {
            output.Append(Charsets.Decode(pending.WrittenSpan, charset, context));
            pending.ResetWrittenCount();
        }
    }

    private static bool TryReadWord(string value, int at, ref FailedScan scan, out string charset, out byte[] bytes, out int end)
    {
        charset = "";
        bytes = [];
        end = at;

        var charsetStart = at + 2;
        var charsetEnd = value.IndexOf('?', charsetStart, Math.Min(MaxCharsetLength, value.Length - charsetStart));
        if (charsetEnd <= charsetStart || charsetEnd + 2 >= value.Length || value[charsetEnd + 2] != '?')
        {
            return false;
        }

        var name = value.AsSpan(charsetStart, charsetEnd - charsetStart);
        foreach (var c in name)
        {
            if (c <= ' ' || c >= 0x7F)
            {
                return false;
            }
        }

        var encoding = char.ToUpperInvariant(value[charsetEnd + 1]);
        if (encoding is not ('B' or 'Q'))
        {
            return false;
        }

        var textStart = charsetEnd + 3;
        if (textStart >= scan.From && textStart < scan.To)
        {
            return false;
        }

        // Encoded text holds no whitespace; a scan that meets whitespace first failed, and is
        // remembered so that the next candidates in the same stretch fail without rescanning it.
        var close = -1;
        for (var i = textStart; i < value.Length; i++)
        {
            if (char.IsWhiteSpace(value[i]))
            {
                scan = new FailedScan(textStart, i);
                return false;
            }

            if (value[i] == '?' && i + 1 < value.Length && value[i + 1] == '=')
            {
                close = i;
                break;
            }
        }

        if (close < 0)
        {
            scan = new FailedScan(textStart, value.Length);
            return false;
        }

        // RFC 2231 section 5 allows a language after the charset: =?utf-8*fi?Q?...?=
        var star = name.IndexOf('*');
        charset = (star < 0 ? name : name[..star]).ToString();
        var text = value.AsSpan(textStart, close - textStart);
        bytes = encoding == 'B' ? TransferEncoding.DecodeBase64(Ascii(text), out _) : DecodeQ(text);
        end = close + 2;
        return true;
    }

    private static byte[] Ascii(ReadOnlySpan<char> text)
    {
        var bytes = new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            bytes[i] = text[i] < 0x80 ? (byte)text[i] : (byte)'?';
        }

        return bytes;
    }

    private readonly record struct FailedScan(int From, int To);
}
