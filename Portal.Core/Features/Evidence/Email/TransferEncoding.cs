namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// Content-Transfer-Encoding decoders that accept what real mailers send: base64 with line
/// breaks, stray characters and missing padding; quoted-printable with bad escapes.
/// </summary>
internal static class TransferEncoding
{
    public static byte[] Decode(ReadOnlySpan<byte> body, string? encoding, EmailReadContext context)
    {
        switch (encoding?.Trim().ToLowerInvariant())
        {
            case null or "" or "7bit" or "8bit" or "binary":
                return body.ToArray();
            case "base64":
                var fromBase64 = DecodeBase64(body, out var clean);
                if (!clean)
                {
                    context.Warn("A base64 part contained characters outside the base64 alphabet; they were skipped.");
                }

                return fromBase64;
            case "quoted-printable":
                var fromQuotedPrintable = DecodeQuotedPrintable(body, out var wellFormed);
                if (!wellFormed)
                {
                    context.Warn("A quoted-printable part contained malformed escapes; they were kept as written.");
                }

                return fromQuotedPrintable;
            default:
                context.Warn("A part has an unknown Content-Transfer-Encoding; it was read as is.");
                return body.ToArray();
        }
    }

    /// <summary>
    /// Skips whitespace and (reporting them) other stray bytes. Padding ends a quantum rather than
    /// the data, so separately encoded chunks glued together still decode; a missing pad is fine.
    /// </summary>
    public static byte[] DecodeBase64(ReadOnlySpan<byte> input, out bool clean)
    {
        clean = true;
        var output = new byte[(input.Length / 4 * 3) + 3];
        var written = 0;
        var quantum = 0;
        var count = 0;
        foreach (var b in input)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                continue;
            }

            if (b == '=')
            {
                written = FlushPartial(output, written, quantum, count);
                quantum = count = 0;
                continue;
            }

            var value = Base64Value(b);
            if (value < 0)
            {
                clean = false;
                continue;
            }

            quantum = (quantum << 6) | value;
            if (++count == 4)
            {
                output[written++] = (byte)(quantum >> 16);
                output[written++] = (byte)(quantum >> 8);
                output[written++] = (byte)quantum;
                quantum = count = 0;
            }
        }

        written = FlushPartial(output, written, quantum, count);
        return output.AsSpan(0, written).ToArray();
    }

    /// <summary>
    /// Soft line breaks (also with whitespace after the '=') are removed and =XX becomes a byte;
    /// an '=' that starts neither is kept. Trailing whitespace on a line was added in transit
    /// (RFC 2045 6.7) and is dropped.
    /// </summary>
    public static byte[] DecodeQuotedPrintable(ReadOnlySpan<byte> input, out bool wellFormed)
    {
        wellFormed = true;
        var output = new byte[input.Length];
        var written = 0;
        var keep = 0;
        var i = 0;
        while (i < input.Length)
        {
            var b = input[i];
            if (b == '=')
            {
                keep = written;
                var j = i + 1;
                while (j < input.Length && input[j] is (byte)' ' or (byte)'\t')
                {
                    j++;
                }

                if (j == input.Length || input[j] is (byte)'\r' or (byte)'\n')
                {
                    i = SkipLineBreak(input, j);
                    continue;
                }

                if (i + 2 < input.Length && HexValue(input[i + 1]) is var high and >= 0 && HexValue(input[i + 2]) is var low and >= 0)
                {
                    output[written++] = (byte)((high << 4) | low);
                    keep = written;
                    i += 3;
                    continue;
                }

                wellFormed = false;
                output[written++] = b;
                keep = written;
                i++;
                continue;
            }

            if (b is (byte)'\r' or (byte)'\n')
            {
                written = keep;
                output[written++] = b;
                keep = written;
                i++;
                continue;
            }

            output[written++] = b;
            if (b is not ((byte)' ' or (byte)'\t'))
            {
                keep = written;
            }

            i++;
        }

        return output.AsSpan(0, keep).ToArray();
    }

    public static int HexValue(int c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };

    private static int SkipLineBreak(ReadOnlySpan<byte> input, int at)
    {
        if (at < input.Length && input[at] == '\r')
        {
            at++;
        }

        if (at < input.Length && input[at] == '\n')
        {
            at++;
        }

        return at;
    }

    private static int FlushPartial(byte[] output, int written, int quantum, int count)
    {
        // Two characters carry one byte, three carry two; a single one carries no whole byte.
        if (count == 2)
        {
            output[written++] = (byte)(quantum >> 4);
        }
        else if (count == 3)
        {
            output[written++] = (byte)(quantum >> 10);
            output[written++] = (byte)(quantum >> 2);
        }

        return written;
    }

    private static int Base64Value(byte b) => b switch
    {
        >= (byte)'A' and <= (byte)'Z' => b - 'A',
        >= (byte)'a' and <= (byte)'z' => b - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => b - '0' + 52,
        (byte)'+' => 62,
        (byte)'/' => 63,
        _ => -1,
    };
}
