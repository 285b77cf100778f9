using System.Buffers;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>A header field as written: unfolded, trimmed, encoded words not yet decoded.</summary>
internal sealed record RawHeader(string Name, string Value);

/// <summary>
/// Reads a header block: unfolds continuation lines, accepts CRLF or bare LF, ends at the
/// first empty line (or the end of the input). Lines that are not fields are skipped.
/// </summary>
internal static class HeaderBlock
{
    private const int MaxFieldNameLength = 128;

    public static List<RawHeader> Read(ReadOnlySpan<byte> data, EmailReadContext context, out int bodyStart)
    {
        var headers = new List<RawHeader>();
        var field = new FieldBuilder(context);
        var position = 0;
        bodyStart = data.Length;
        while (position < data.Length)
        {
            var rest = data[position..];
            var newline = rest.IndexOf((byte)'\n');
            var next = newline < 0 ? data.Length : position + newline + 1;
            var line = newline < 0 ? rest : rest[..newline];
            if (!line.IsEmpty && line[^1] == '\r')
            {
                line = line[..^1];
            }

            position = next;
            if (line.IsEmpty)
            {
                bodyStart = next;
                break;
            }

            if (line[0] is (byte)' ' or (byte)'\t')
            {
                if (!field.Append(line))
                {
                    context.Warn("A folded header line with no field before it was skipped.");
                }

                continue;
            }

            field.Finish(headers);
            var colon = line.IndexOf((byte)':');
            if (colon > 0 && FieldName(line[..colon]) is { } name)
            {
                field.Start(name, line[(colon + 1)..]);
            }
            else
            {
                context.Warn("A header line without a field name and colon was skipped.");
            }
        }

        field.Finish(headers);
        if (field.Ignored > 0)
        {
            context.Warn($"A header block has more than {context.Limits.MaxHeaders} fields; {field.Ignored} more were ignored.");
        }

        return headers;
    }

    public static string? First(IReadOnlyList<RawHeader> headers, string name) =>
        headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value;

    public static IEnumerable<string> All(IReadOnlyList<RawHeader> headers, string name) =>
        headers.Where(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>
    /// Printable ASCII without spaces; obsolete syntax allows whitespace before the colon. Real
    /// names are short, so a long "name" is text that happens to contain a colon.
    /// </summary>
    private static string? FieldName(ReadOnlySpan<byte> raw)
    {
        var name = raw.TrimEnd(" \t"u8);
        if (name.IsEmpty || name.Length > MaxFieldNameLength)
        {
            return null;
        }

        foreach (var b in name)
        {
            if (b is <= 32 or >= 127)
            {
                return null;
            }
        }

        return System.Text.Encoding.ASCII.GetString(name);
    }

    private sealed class FieldBuilder(EmailReadContext context)
    {
        private readonly ArrayBufferWriter<byte> value = new();
        private string? name;
        private bool truncated;

        public int Ignored { get; private set; }

        public void Start(string fieldName, ReadOnlySpan<byte> firstLine)
        {
            name = fieldName;
            truncated = false;
            value.ResetWrittenCount();
            Append(firstLine);
        }

        /// <summary>Adds a line to the current field; false when there is none.</summary>
        public bool Append(ReadOnlySpan<byte> line)
        {
            if (name is null)
            {
                return false;
            }

            var room = context.Limits.MaxHeaderFieldBytes - value.WrittenCount;
            if (line.Length > room)
            {
                truncated = true;
                line = line[..Math.Max(0, room)];
            }

            value.Write(line);
            return true;
        }

        public void Finish(List<RawHeader> headers)
        {
            if (name is null)
            {
                return;
            }

            if (truncated)
            {
                context.Warn($"A {name} header was longer than {context.Limits.MaxHeaderFieldBytes} bytes and was cut short.");
            }

            if (headers.Count >= context.Limits.MaxHeaders)
            {
                Ignored++;
            }
            else
            {
                var text = Charsets.DecodeUndeclared(value.WrittenSpan);
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    context.Warn("NUL bytes in the headers were removed.");
                    text = text.Replace("\0", "", StringComparison.Ordinal);
                }

                headers.Add(new RawHeader(name, text.Trim()));
            }

            name = null;
        }
    }
}
