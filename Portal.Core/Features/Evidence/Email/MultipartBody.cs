namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// Splits a multipart body at its delimiter lines (RFC 2046 5.1.1). The preamble before the
/// first delimiter and the epilogue after the closing one are not content. A delimiter must
/// start a line and be followed only by "--" or whitespace, so a boundary that is a prefix of a
/// nested part's boundary does not split that part.
/// </summary>
internal static class MultipartBody
{
    /// <summary>The parts as (start, length) in body; closed is false when the closing delimiter never came.</summary>
    public static List<(int Start, int Length)> Split(ReadOnlySpan<byte> body, ReadOnlySpan<byte> delimiter, out bool closed)
    {
        var parts = new List<(int Start, int Length)>();
        closed = false;
        var partStart = -1;
        var position = 0;
        while (position < body.Length)
        {
            var found = body[position..].IndexOf(delimiter);
            if (found < 0)
            {
                break;
            }

            var at = position + found;
            position = at + 1;
            if (at > 0 && body[at - 1] != '\n')
            {
                continue;
            }

            // Only here, once per line, is the rest of the line looked at: the search stays linear.
            var lineEnd = body[at..].IndexOf((byte)'\n') is var newline and >= 0 ? at + newline : body.Length;
            var after = body[(at + delimiter.Length)..lineEnd];
            var isClose = after.StartsWith("--"u8);
            if (!isClose && !after.TrimEnd(" \t\r"u8).IsEmpty)
            {
                continue;
            }

            if (partStart >= 0)
            {
                parts.Add((partStart, WithoutLineBreak(body, partStart, at) - partStart));
            }

            if (isClose)
            {
                closed = true;
                return parts;
            }

            partStart = Math.Min(lineEnd + 1, body.Length);
            position = partStart;
        }

        if (partStart >= 0)
        {
            parts.Add((partStart, body.Length - partStart));
        }

        return parts;
    }

    /// <summary>The line break before a delimiter belongs to the delimiter, not to the part.</summary>
    private static int WithoutLineBreak(ReadOnlySpan<byte> body, int start, int end)
    {
        if (end > start && body[end - 1] == '\n')
        {
            end--;
        }

        if (end > start && body[end - 1] == '\r')
        {
            end--;
        }

        return end;
    }
}
