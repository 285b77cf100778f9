using System.Text;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// Reads RFC 5322 address lists as mailers really write them: quoted or bare display names,
/// comments, angle addresses with obsolete routes, groups, and bare "Name addr@host" pairs.
/// Structure is parsed before encoded words are decoded, so a decoded comma or quote in a
/// display name cannot split or break an address.
/// </summary>
internal static class AddressParser
{
    private enum Kind
    {
        Word,
        Quoted,
        Comment,
        Angle,
        Comma,
        Colon,
        Semicolon,
    }

    public static List<EmailAddress> ParseList(string value, string fieldName, EmailReadContext context)
    {
        var addresses = new List<EmailAddress>();
        var mailbox = new List<Token>();
        foreach (var token in Tokenize(value))
        {
            switch (token.Kind)
            {
                case Kind.Comma or Kind.Semicolon:
                    Finish(mailbox, addresses, fieldName, context);
                    break;
                case Kind.Colon:
                    // What came before is a group's name ("undisclosed-recipients:;"), not a mailbox.
                    mailbox.Clear();
                    break;
                default:
                    mailbox.Add(token);
                    break;
            }
        }

        Finish(mailbox, addresses, fieldName, context);
        return addresses;
    }

    private static void Finish(List<Token> mailbox, List<EmailAddress> addresses, string fieldName, EmailReadContext context)
    {
        if (mailbox.Exists(t => t.Kind != Kind.Comment))
        {
            if (ToAddress(mailbox) is { } address)
            {
                addresses.Add(address);
            }
            else
            {
                context.Warn($"An address in the {fieldName} header could not be read and was skipped.");
            }
        }

        mailbox.Clear();
    }

    private static EmailAddress? ToAddress(List<Token> tokens)
    {
        // Old style "jane@example.org (Jane Doe)": the comment is the only name there is.
        var comment = tokens.Find(t => t.Kind == Kind.Comment);
        var commentName = comment is null ? null : DecodeName(comment.Text);

        var angle = tokens.FindIndex(t => t.Kind == Kind.Angle);
        if (angle >= 0)
        {
            return Mailbox(Phrase(tokens.Take(angle)) ?? commentName, tokens[angle].Text);
        }

        // No angle brackets: an addr-spec, possibly after a bare display name ("Jane Doe jane@example.org").
        var runs = new List<List<Token>>();
        foreach (var token in tokens.Where(t => t.Kind is Kind.Word or Kind.Quoted))
        {
            if (runs.Count == 0 || token.SpaceBefore)
            {
                runs.Add([]);
            }

            runs[^1].Add(token);
        }

        var last = string.Concat(runs[^1].Select(t => t.Raw));
        if (runs.Count > 1 && IsAddrSpec(last) && !runs.Take(runs.Count - 1).SelectMany(r => r).Any(t => t.Raw.Contains('@', StringComparison.Ordinal)))
        {
            return Mailbox(Phrase(runs.Take(runs.Count - 1).SelectMany(r => r)), last);
        }

        return Mailbox(commentName, string.Concat(runs.SelectMany(r => r).Select(t => t.Raw)));
    }

    private static EmailAddress? Mailbox(string? displayName, string spec)
    {
        var address = CleanAddrSpec(spec);
        var at = address.LastIndexOf('@');
        if (at <= 0 || at == address.Length - 1)
        {
            return null;
        }

        var local = address[..at];
        var domain = address[(at + 1)..];
        var quotedLocal = local.Length > 1 && local.StartsWith('"') && local.EndsWith('"');
        if ((!quotedLocal && local.Any(IsForbidden)) || domain.Any(c => IsForbidden(c) || (c == ':' && !domain.StartsWith('['))))
        {
            return null;
        }

        return new EmailAddress(displayName, local + "@" + domain.ToLowerInvariant());
    }

    private static bool IsForbidden(char c) =>
        char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '(' or ')' or ',' or ';' or '"' or '\\' or '@';

    private static bool IsAddrSpec(string text)
    {
        var at = text.LastIndexOf('@');
        return at > 0 && at < text.Length - 1;
    }

    /// <summary>Drops an obsolete source route ("@relay:") or "mailto:", and whitespace outside quotes.</summary>
    private static string CleanAddrSpec(string spec)
    {
        var text = spec.Trim();
        if (text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[7..];
        }

        if (text.StartsWith('@') && text.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
        {
            text = text[(colon + 1)..];
        }

        var builder = new StringBuilder(text.Length);
        var inQuotes = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                inQuotes = !inQuotes;
            }

            if (inQuotes || !char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A display name: words and unquoted strings, then encoded words decoded.</summary>
    private static string? Phrase(IEnumerable<Token> tokens)
    {
        var builder = new StringBuilder();
        foreach (var token in tokens)
        {
            if (token.Kind is not (Kind.Word or Kind.Quoted))
            {
                continue;
            }

            if (builder.Length > 0 && token.SpaceBefore)
            {
                builder.Append(' ');
            }

            builder.Append(token.Text);
        }

        return DecodeName(builder.ToString());
    }

    private static string? DecodeName(string text)
    {
        var name = EncodedWords.Decode(text, null).Trim();
        return name.Length == 0 ? null : name;
    }

    private static List<Token> Tokenize(string value)
    {
        var tokens = new List<Token>();
        var spaceBefore = false;
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (char.IsWhiteSpace(c))
            {
                spaceBefore = true;
                i++;
                continue;
            }

            var start = i;
            Kind kind;
            string text;
            switch (c)
            {
                case '"':
                    (text, i) = ReadQuoted(value, i);
                    kind = Kind.Quoted;
                    break;
                case '(':
                    (text, i) = ReadComment(value, i);
                    kind = Kind.Comment;
                    break;
                case '<':
                    (text, i) = ReadAngle(value, i);
                    kind = Kind.Angle;
                    break;
                case ',' or ':' or ';':
                    kind = c switch { ',' => Kind.Comma, ':' => Kind.Colon, _ => Kind.Semicolon };
                    text = c.ToString();
                    i++;
                    break;
                default:
                    while (i < value.Length && !char.IsWhiteSpace(value[i]) && value[i] is not ('"' or '(' or '<' or ',' or ':' or ';'))
                    {
                        i++;
                    }

                    text = value[start..i];
                    kind = Kind.Word;
                    break;
            }

            tokens.Add(new Token(kind, text, value[start..i], spaceBefore));
            spaceBefore = kind == Kind.Comment;
        }

        return tokens;
    }

    private static (string Text, int End) ReadQuoted(string value, int start)
    {
        var builder = new StringBuilder();
        var i = start + 1;
        while (i < value.Length)
        {
            var c = value[i++];
            if (c == '\\' && i < value.Length)
            {
                builder.Append(value[i++]);
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

        return (builder.ToString(), i);
    }

    private static (string Text, int End) ReadComment(string value, int start)
    {
        var builder = new StringBuilder();
        var depth = 1;
        var i = start + 1;
        while (i < value.Length)
        {
            var c = value[i++];
            if (c == '\\' && i < value.Length)
            {
                builder.Append(value[i++]);
                continue;
            }

            depth += c switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                break;
            }

            builder.Append(c);
        }

        return (builder.ToString(), i);
    }

    private static (string Text, int End) ReadAngle(string value, int start)
    {
        var i = start + 1;
        while (i < value.Length && value[i] != '>')
        {
            i = value[i] == '"' ? ReadQuoted(value, i).End : i + 1;
        }

        return (value[(start + 1)..Math.Min(i, value.Length)], Math.Min(i + 1, value.Length));
    }

    private sealed record Token(Kind Kind, string Text, string Raw, bool SpaceBefore);
}
