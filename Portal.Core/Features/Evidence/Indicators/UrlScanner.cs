using System.Text.RegularExpressions;
using Portal.Core.Data;

namespace Portal.Core.Features.Evidence.Indicators;

/// <summary>
/// Links: http and https URLs, bare "www." hosts and Tor ".onion" hosts (which victims are often
/// told to open in Tor Browser without any scheme).
/// </summary>
internal static class UrlScanner
{
    // Long enough for any real link; beyond it the URL is noise but its domain is still kept.
    private const int MaxUrlLength = 2048;
    private const string TrailingPunctuation = ".,;:!?'\"`*’”»›…";

    // Onion hosts are 16 (v2) or 56 (v3) base32 characters.
    private static readonly Regex Candidate = IndicatorPatterns.Create(
        @"(?:https?://|www\.|[a-z2-7]{56}\.onion|[a-z2-7]{16}\.onion)[^\s<>""]*");

    public static IEnumerable<Found> Find(string text)
    {
        foreach (Match match in Candidate.Matches(text))
        {
            var hasScheme = match.Value.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                || match.Value.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            if (!hasScheme && match.Index > 0 && IsHostCharacter(text[match.Index - 1]))
            {
                // "mail.www.example.com", "name@www.example.com" or the tail of a longer onion-like
                // word: part of something else, not the start of a link.
                continue;
            }

            if (!TryNormalize(TrimTrailing(match.Value), hasScheme, out var url, out var host))
            {
                continue;
            }

            if (url.Length <= MaxUrlLength)
            {
                yield return new Found(match.Index, new Indicator(IndicatorKind.Url, url, null));
            }

            if (HostName.IsValid(host))
            {
                yield return new Found(match.Index, new Indicator(IndicatorKind.Domain, HostName.ToDomain(host), null));
            }
        }
    }

    private static bool IsHostCharacter(char c) => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' or '@';

    /// <summary>
    /// Drops sentence punctuation and closing quotes that follow a link in prose. A closing bracket
    /// is kept when the link opened it, as in Wikipedia-style "/wiki/Foo_(bar)".
    /// </summary>
    private static string TrimTrailing(string candidate)
    {
        var span = candidate.AsSpan();
        var unmatched = new Dictionary<char, int>
        {
            [')'] = span.Count(')') - span.Count('('),
            [']'] = span.Count(']') - span.Count('['),
            ['}'] = span.Count('}') - span.Count('{'),
        };

        var end = candidate.Length;
        while (end > 0)
        {
            var last = candidate[end - 1];
            if (TrailingPunctuation.Contains(last, StringComparison.Ordinal))
            {
                end--;
            }
            else if (unmatched.TryGetValue(last, out var surplus) && surplus > 0)
            {
                unmatched[last] = surplus - 1;
                end--;
            }
            else
            {
                break;
            }
        }

        return candidate[..end];
    }

    private static bool TryNormalize(string candidate, bool hasScheme, out string url, out string host)
    {
        url = "";
        host = "";

        var scheme = "http";
        var authorityStart = 0;
        if (hasScheme)
        {
            var separator = candidate.IndexOf("://", StringComparison.Ordinal);
            scheme = candidate[..separator].ToLowerInvariant();
            authorityStart = separator + 3;
        }

        var authorityEnd = candidate.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = candidate.Length;
        }

        // Anything before '@' is user information: "https://bank.com@evil.com" goes to evil.com.
        var authority = candidate[authorityStart..authorityEnd];
        authority = authority[(authority.LastIndexOf('@') + 1)..];

        var port = "";
        var colon = authority.LastIndexOf(':');
        if (colon >= 0)
        {
            port = authority[(colon + 1)..];
            authority = authority[..colon];
            if (port.Length is 0 or > 5 || !port.All(char.IsAsciiDigit))
            {
                return false;
            }
        }

        host = authority.TrimEnd('.').ToLowerInvariant();
        if (!HostName.IsValid(host) && !HostName.IsIPv4(host))
        {
            return false;
        }

        var rest = candidate[authorityEnd..];
        var fragment = rest.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            rest = rest[..fragment];
        }

        url = $"{scheme}://{host}{(port.Length > 0 ? ":" + port : "")}{rest}";
        return true;
    }
}
