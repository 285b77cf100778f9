using System.Buffers;
using System.Globalization;
using System.Text;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>A Content-Type or Content-Disposition value: lower-cased main value and its parameters.</summary>
internal sealed record MimeFieldValue(string Value, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Parameter(string name) => Parameters.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// Parses "type/subtype; name=value; ..." including quoted values and RFC 2231 parameter
/// continuations and charset'language'%XX encoding (filename*0*=UTF-8''%E2%82%AC...).
/// </summary>
internal static class MimeParameters
{
    private const int MaxSections = 1000;

    public static MimeFieldValue Parse(string raw, EmailReadContext? context)
    {
        var segments = SplitOutsideQuotes(raw);
        var main = segments.Count > 0 ? segments[0].Trim() : "";

        // Some mailers forget the ';' before the first parameter ("text/plain charset=utf-8"),
        // a few add a comment ("text/plain (body)").
        var space = main.IndexOfAny([' ', '\t', '(']);
        if (space > 0)
        {
            segments.Insert(1, main[space..]);
            main = main[..space];
        }

        var plain = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var extended = new Dictionary<string, SortedDictionary<int, (string Value, bool Encoded)>>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in segments.Skip(1))
        {
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var name = segment[..equals].Trim().ToLowerInvariant();
            var value = Unquote(segment[(equals + 1)..].Trim());
            if (name.Length == 0)
            {
                continue;
            }

            var encoded = name.EndsWith('*');
            var baseName = encoded ? name[..^1] : name;
            var star = baseName.IndexOf('*', StringComparison.Ordinal);
            if (star > 0 && int.TryParse(baseName.AsSpan(star + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var section) && section < MaxSections)
            {
                Sections(extended, baseName[..star]).TryAdd(section, (value, encoded));
            }
            else if (encoded)
            {
                Sections(extended, baseName).TryAdd(0, (value, true));
            }
            else
            {
                plain.TryAdd(name, value);
            }
        }

        foreach (var (name, sections) in extended)
        {
            plain[name] = JoinSections(sections, context);
        }

        return new MimeFieldValue(main.ToLowerInvariant(), plain);
    }

    private static SortedDictionary<int, (string Value, bool Encoded)> Sections(
        Dictionary<string, SortedDictionary<int, (string Value, bool Encoded)>> extended, string name)
    {
        if (!extended.TryGetValue(name, out var sections))
        {
            sections = [];
            extended[name] = sections;
        }

        return sections;
    }

    private static string JoinSections(SortedDictionary<int, (string Value, bool Encoded)> sections, EmailReadContext? context)
    {
        string? charset = null;
        var bytes = new ArrayBufferWriter<byte>();
        var first = true;
        foreach (var (value, encoded) in sections.Values)
        {
            var text = value;
            if (first && encoded)
            {
                // Only the first section carries charset'language'.
                var quote = text.IndexOf('\'', StringComparison.Ordinal);
                var secondQuote = quote < 0 ? -1 : text.IndexOf('\'', quote + 1);
                if (secondQuote >= 0)
                {
                    charset = text[..quote];
                    text = text[(secondQuote + 1)..];
                }
            }

            first = false;
            if (encoded)
            {
                PercentDecode(text, bytes);
            }
            else
            {
                bytes.Write(Encoding.UTF8.GetBytes(text));
            }
        }

        return Charsets.Decode(bytes.WrittenSpan, charset, context);
    }

    private static void PercentDecode(string text, ArrayBufferWriter<byte> output)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length
                && TransferEncoding.HexValue(text[i + 1]) is var high and >= 0
                && TransferEncoding.HexValue(text[i + 2]) is var low and >= 0)
            {
                output.Write([(byte)((high << 4) | low)]);
                i += 2;
            }
            else if (c < 0x80)
            {
                output.Write([(byte)c]);
            }
            else
            {
                output.Write(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
    }

    private static string Unquote(string value)
    {
        if (!value.StartsWith('"'))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 1; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\' && i + 1 < value.Length)
            {
                builder.Append(value[++i]);
            }
            else if (c == '"')
            {
                break;
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Splits on ';' outside quoted strings. Comments are not removed: they are rare in these
    /// fields, while unquoted file names like "report (1).pdf" are not.
    /// </summary>
    private static List<string> SplitOutsideQuotes(string raw)
    {
        var segments = new List<string>();
        var current = new StringBuilder();
        var inQuotes = false;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (inQuotes && c == '\\' && i + 1 < raw.Length)
            {
                current.Append(c).Append(raw[++i]);
                continue;
            }

            if (c == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (c == ';' && !inQuotes)
            {
                segments.Add(current.ToString());
                current.Clear();
                continue;
            }

            current.Append(c);
        }

        segments.Add(current.ToString());
        return segments;
    }
}
