using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Features.Evidence.Email;

/// <summary>
/// Reads a Received header: "from helo (rdns [ip]) by host ...; date". The host after "from" is
/// what the sender claimed; the IP in the comment is what the receiving server saw, so it is
/// preferred over an address literal in the claim.
/// </summary>
internal static class ReceivedParser
{
    public static ReceivedHop Parse(int index, string raw, EmailReadContext context)
    {
        var semicolon = raw.LastIndexOf(';');
        var clauses = semicolon < 0 ? raw : raw[..semicolon];
        var date = semicolon < 0 ? null : DateParser.Parse(raw[(semicolon + 1)..]);
        if (date is null)
        {
            context.Warn($"The date of Received hop {index} could not be read.");
        }

        string? fromHost = null;
        string? fromIp = null;
        string? byHost = null;
        var tokens = Tokenize(clauses);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].IsComment)
            {
                continue;
            }

            if (IsWord(tokens[i], "from") && fromHost is null && fromIp is null)
            {
                var next = i + 1;
                if (next < tokens.Count && !tokens[next].IsComment && !IsKeyword(tokens[next]))
                {
                    fromHost = tokens[next].Text;
                    next++;
                }

                var comments = new List<string>();
                for (; next < tokens.Count && tokens[next].IsComment; next++)
                {
                    comments.Add(tokens[next].Text);
                }

                fromIp = comments.Select(BracketedIp).FirstOrDefault(ip => ip is not null)
                    ?? comments.Select(BareIp).FirstOrDefault(ip => ip is not null)
                    ?? (fromHost is null ? null : BracketedIp(fromHost));
                i = next - 1;
            }
            else if (IsWord(tokens[i], "by") && byHost is null && i + 1 < tokens.Count && !tokens[i + 1].IsComment)
            {
                byHost = tokens[++i].Text;
            }
        }

        return new ReceivedHop(index, fromHost, fromIp, byHost, date, raw);
    }

    /// <summary>A dotted quad or an IPv6 address; "IPv6:" prefixes are dropped.</summary>
    public static string? AsIp(string text)
    {
        var candidate = text.Trim();
        if (candidate.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            candidate = candidate[5..];
        }

        if (!IPAddress.TryParse(candidate, out var address))
        {
            return null;
        }

        // IPAddress also accepts "1" or "12345" as IPv4; mail never writes addresses that way.
        var dottedQuad = address.AddressFamily == AddressFamily.InterNetwork && candidate.Count(c => c == '.') == 3;
        return dottedQuad || address.AddressFamily == AddressFamily.InterNetworkV6 ? candidate : null;
    }

    private static string? BracketedIp(string text)
    {
        var position = 0;
        while (text.IndexOf('[', position) is var open and >= 0 && text.IndexOf(']', open) is var close and >= 0)
        {
            if (AsIp(text[(open + 1)..close]) is { } ip)
            {
                return ip;
            }

            position = close + 1;
        }

        return null;
    }

    /// <summary>Exchange and qmail write the IP bare: "(10.0.0.1)"; a HELO argument is not the peer.</summary>
    private static string? BareIp(string text)
    {
        var words = text.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            if (word.Equals("helo", StringComparison.OrdinalIgnoreCase) || word.Equals("ehlo", StringComparison.OrdinalIgnoreCase))
            {
                i++;
                continue;
            }

            if (!word.Contains('=', StringComparison.Ordinal) && AsIp(word.Trim('.', ';', '[', ']')) is { } ip)
            {
                return ip;
            }
        }

        return null;
    }

    private static bool IsWord(Token token, string word) => token.Text.Equals(word, StringComparison.OrdinalIgnoreCase);

    private static bool IsKeyword(Token token) =>
        token.Text.ToLowerInvariant() is "by" or "via" or "with" or "id" or "for";

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            if (text[i] == '(')
            {
                var depth = 0;
                do
                {
                    depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
                    i++;
                }
                while (i < text.Length && depth > 0);

                var end = depth == 0 ? i - 1 : i;
                tokens.Add(new Token(text[(start + 1)..end], IsComment: true));
                continue;
            }

            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '(')
            {
                i++;
            }

            tokens.Add(new Token(text[start..i], IsComment: false));
        }

        return tokens;
    }

    private sealed record Token(string Text, bool IsComment);
}
