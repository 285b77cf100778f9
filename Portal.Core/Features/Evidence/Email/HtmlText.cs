using System.Net;
using System.Text;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// Reduces an HTML body to readable text: scripts, styles and comments dropped, entities
/// decoded, whitespace collapsed, block elements on their own lines, and link targets kept next
/// to the link text, since a payment or phishing URL is often only in the href. One forward
/// pass; every search either moves forward or is remembered as failed, so work stays linear.
/// </summary>
internal static class HtmlText
{
    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal) { "script", "style", "title", "template" };

    private static readonly HashSet<string> Lines = new(StringComparer.Ordinal)
    {
        "br", "div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "nav", "aside",
        "address", "center", "form", "fieldset", "figure", "figcaption", "main", "caption", "body",
    };

    private static readonly HashSet<string> Paragraphs = new(StringComparer.Ordinal)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote", "pre", "hr",
    };

    public static string ToText(string html)
    {
        var output = new Output();
        var unclosed = new HashSet<string>(StringComparer.Ordinal);
        var lastDoubleQuote = html.LastIndexOf('"');
        var lastSingleQuote = html.LastIndexOf('\'');
        string? href = null;
        var linkStart = 0;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            output.Text(html.AsSpan(i, (lt < 0 ? html.Length : lt) - i));
            if (lt < 0)
            {
                break;
            }

            i = lt;
            if (string.CompareOrdinal(html, i, "<!--", 0, 4) == 0)
            {
                var end = html.IndexOf("-->", i + 4, StringComparison.Ordinal);
                i = end < 0 ? html.Length : end + 3;
                continue;
            }

            var next = i + 1 < html.Length ? html[i + 1] : '\0';
            if (next is '!' or '?')
            {
                var end = html.IndexOf('>', i);
                i = end < 0 ? html.Length : end + 1;
                continue;
            }

            var closing = next == '/';
            var nameStart = closing ? i + 2 : i + 1;
            var nameEnd = nameStart;
            while (nameEnd < html.Length && (char.IsAsciiLetterOrDigit(html[nameEnd]) || html[nameEnd] is '-' or ':'))
            {
                nameEnd++;
            }

            if (nameEnd == nameStart || !char.IsAsciiLetter(html[nameStart]))
            {
                output.Text("<");
                i++;
                continue;
            }

            var tagEnd = TagEnd(html, nameEnd, lastDoubleQuote, lastSingleQuote);
            if (tagEnd < 0)
            {
                // No '>' anywhere after: it is text, not a tag; keep it rather than hide it.
                output.Text(html.AsSpan(i));
                break;
            }

            var name = html[nameStart..nameEnd].ToLowerInvariant();
            var attributes = html.AsSpan(nameEnd, tagEnd - nameEnd);
            i = tagEnd + 1;

            if (!closing && Dropped.Contains(name) && !unclosed.Contains(name))
            {
                var close = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                if (close >= 0)
                {
                    i = close;
                }
                else
                {
                    // An unclosed <style> would hide the rest of the message; show it instead.
                    unclosed.Add(name);
                }

                continue;
            }

            if (name == "pre")
            {
                output.Preformatted += closing ? -1 : 1;
            }

            if (name is "td" or "th")
            {
                output.Space();
            }
            else if (Paragraphs.Contains(name))
            {
                output.Newlines(2);
            }
            else if (Lines.Contains(name))
            {
                output.Newlines(1);
            }
            else if (name == "a" && !closing)
            {
                href = Attribute(attributes, "href");
                linkStart = output.Length;
            }
            else if (name == "a" && href is not null)
            {
                output.Link(href, linkStart);
                href = null;
            }
        }

        return output.ToString();
    }

    /// <summary>The '>' that ends a tag; a quote opened after '=' hides any '>' until it closes.</summary>
    private static int TagEnd(string html, int from, int lastDoubleQuote, int lastSingleQuote)
    {
        for (var k = from; k < html.Length; k++)
        {
            var c = html[k];
            if (c == '>')
            {
                return k;
            }

            var opensValue = (c == '"' && k < lastDoubleQuote) || (c == '\'' && k < lastSingleQuote);
            if (opensValue && PreviousNonSpace(html, k, from) == '=')
            {
                k = html.IndexOf(c, k + 1);
            }
        }

        return -1;
    }

    private static char PreviousNonSpace(string html, int at, int from)
    {
        for (var k = at - 1; k >= from; k--)
        {
            if (!char.IsWhiteSpace(html[k]))
            {
                return html[k];
            }
        }

        return '\0';
    }

    private static string? Attribute(ReadOnlySpan<char> attributes, string name)
    {
        var position = 0;
        while (position < attributes.Length)
        {
            var found = attributes[position..].IndexOf(name, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                return null;
            }

            var at = position + found;
            position = at + name.Length;
            if (at > 0 && !char.IsWhiteSpace(attributes[at - 1]))
            {
                continue;
            }

            var rest = attributes[position..].TrimStart();
            if (rest.IsEmpty || rest[0] != '=')
            {
                continue;
            }

            rest = rest[1..].TrimStart();
            ReadOnlySpan<char> value;
            if (!rest.IsEmpty && rest[0] is '"' or '\'')
            {
                var end = rest[1..].IndexOf(rest[0]);
                value = end < 0 ? rest[1..] : rest.Slice(1, end);
            }
            else
            {
                var end = rest.IndexOfAny(" \t\r\n/");
                value = end < 0 ? rest : rest[..end];
            }

            var decoded = WebUtility.HtmlDecode(value.ToString()).Trim();
            return decoded.Length == 0 ? null : decoded;
        }

        return null;
    }

    private sealed class Output
    {
        private readonly StringBuilder text = new();

        // Start as if after a paragraph so that leading blank lines are not written.
        private int newlines = 2;
        private bool space;

        public int Preformatted { get; set; }

        public int Length => text.Length;

        public void Text(ReadOnlySpan<char> raw)
        {
            if (!raw.IsEmpty)
            {
                Plain(WebUtility.HtmlDecode(raw.ToString()));
            }
        }

        public void Space() => space = true;

        public void Newlines(int count)
        {
            space = false;
            while (newlines < count)
            {
                Write('\n');
                newlines++;
            }
        }

        public void Link(string href, int linkStart)
        {
            if (href.StartsWith('#') || href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            var target = href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? href[7..] : href;
            if (!text.ToString(linkStart, text.Length - linkStart).Contains(target, StringComparison.OrdinalIgnoreCase))
            {
                Plain($" ({target})");
            }
        }

        public override string ToString() => text.ToString().TrimEnd();

        private void Plain(string decoded)
        {
            foreach (var c in decoded)
            {
                if (Preformatted > 0 && c is ' ' or '\t' or '\n')
                {
                    Write(c);
                    newlines = c == '\n' ? newlines + 1 : 0;
                }
                else if (char.IsWhiteSpace(c))
                {
                    space = true;
                }
                else if (c != '\r')
                {
                    if (space && newlines == 0)
                    {
                        Write(' ');
                    }

                    space = false;
                    Write(c);
                    newlines = 0;
                }
            }
        }

        private void Write(char c) => text.Append(c);
    }
}
